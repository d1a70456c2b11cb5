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
 * The preprocessed input of every usable photo (of every face used, with face crops), in a temporary file beside the
 * outputs: {@code prepare} decodes each photo once, while scanning, and reads its pixels back from here when it writes
 * the splits. Memory holds only the index (an input's slot), never the pixels; the file is deleted on {@link #close}.
 *
 * <p>Inputs are {@code put} by one thread in scan order; once scanning is done, any thread may {@code get} them.
 */
final class InputStore implements AutoCloseable {

    private final Path file;
    private final FileChannel channel;
    private final int imageBytes;
    private final Map<Key, Integer> slots = new HashMap<>();

    /** A photo's input: {@code face} is the index of the face it was cropped around among the photo's faces, else 0. */
    private record Key(RawDataset.RawFile photo, int face) {
    }

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

    /** Appends the input of a photo (around its face number {@code face}: 0 without face crops). */
    void put(RawDataset.RawFile photo, int face, byte[] input) throws IOException {
        if (input.length != imageBytes) throw new IllegalArgumentException(input.length + " bytes, expected " + imageBytes);
        int slot = slots.size();
        ByteBuffer b = ByteBuffer.wrap(input);
        long at = (long) slot * imageBytes;
        while (b.hasRemaining()) at += channel.write(b, at);
        slots.put(new Key(photo, face), slot);
    }

    /** The input of a photo (around face number {@code face}) that was {@link #put}. */
    byte[] get(RawDataset.RawFile photo, int face) throws IOException {
        Integer slot = slots.get(new Key(photo, face));
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
