package pinkcnn.trainer.data;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;

/**
 * The preprocessed input of every usable photo, in a temporary file beside the outputs: {@code prepare} decodes each
 * photo once, while scanning, and reads its pixels back from here when it writes the splits. Memory holds only the
 * index (a photo's slot), never the pixels; the file is deleted on {@link #close}.
 *
 * <p>Inputs are {@code put} by one thread in scan order; once scanning is done, any thread may {@code get} them.
 */
final class InputStore implements AutoCloseable {

    private final Path file;
    private final FileChannel channel;
    private final int imageBytes;
    private final Map<RawDataset.RawFile, Integer> slots = new HashMap<>();

    private InputStore(Path file, FileChannel channel, int imageBytes) {
        this.file = file;
        this.channel = channel;
        this.imageBytes = imageBytes;
    }

    static InputStore create(Path file, int imageBytes) throws IOException {
        return new InputStore(file, FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.READ, StandardOpenOption.WRITE), imageBytes);
    }

    Path file() {
        return file;
    }

    /** Appends the input of a photo. */
    void put(RawDataset.RawFile photo, byte[] input) throws IOException {
        if (input.length != imageBytes) throw new IllegalArgumentException(input.length + " bytes, expected " + imageBytes);
        int slot = slots.size();
        ByteBuffer b = ByteBuffer.wrap(input);
        long at = (long) slot * imageBytes;
        while (b.hasRemaining()) at += channel.write(b, at);
        slots.put(photo, slot);
    }

    /** The input of a photo that was {@link #put}. */
    byte[] get(RawDataset.RawFile photo) throws IOException {
        Integer slot = slots.get(photo);
        if (slot == null) throw new IllegalArgumentException("no input stored for " + photo.relativePath());
        byte[] out = new byte[imageBytes];
        ByteBuffer b = ByteBuffer.wrap(out);
        long at = (long) slot * imageBytes;
        while (b.hasRemaining()) {
            int n = channel.read(b, at + b.position());
            if (n < 0) throw new EOFException(file + ": shorter than its index says (was it changed?)");
        }
        return out;
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing was lost: the file is only a cache of this run
        }
        DatasetWriter.deleteQuietly(file);
    }
}
