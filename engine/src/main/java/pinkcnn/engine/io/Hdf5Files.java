package pinkcnn.engine.io;

import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import io.jhdf.api.dataset.ChunkedDataset;
import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Opening HDF5 files that may be damaged or hostile with jHDF, whose reader trusts the lengths, addresses and
 * dimensions a file declares: it allocates what a header says before reading it, so one damaged length field costs
 * gigabytes and seconds before the read fails.
 */
public final class Hdf5Files {

    /**
     * The most a deflated chunk can expand (zlib's limit is about 1032:1); a dataset declaring more data than this
     * times the file's size cannot be in the file.
     */
    private static final long MAX_COMPRESSION_RATIO = 1100;

    private Hdf5Files() {}

    /**
     * Opens a file for reading. Files under 2 GiB are memory-mapped whole and read through jHDF's in-memory storage,
     * where a length or address past the end fails at once, without allocating; larger files are read through a file
     * channel as usual. Whatever jHDF throws stays unchecked (an {@link io.jhdf.exceptions.HdfException} or another
     * runtime exception): callers turn it into their own message.
     */
    public static HdfFile open(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size > Integer.MAX_VALUE) return new HdfFile(file);
            MappedByteBuffer mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, size); // valid after close
            return HdfFile.fromByteBuffer(mapped);
        }
    }

    /**
     * Why reading {@code dataset} whole cannot be right in a file of {@code fileSize} bytes (it declares more data
     * than the file can hold, or more than one Java array holds), or null when its size is plausible. Checked before
     * reading, since jHDF allocates the declared size first.
     */
    public static String implausibleSize(Dataset dataset, long fileSize) {
        long elements = 1;
        try {
            for (long d : dataset.getDimensionsAsLong()) {
                if (d < 0) return "has a negative dimension";
                elements = Math.multiplyExact(elements, d);
            }
            long bytes = Math.multiplyExact(elements, (long) dataset.getDataType().getSize());
            if (bytes > Integer.MAX_VALUE - 8) return "declares " + bytes + " bytes of data, over 2 GB";
            boolean compressed = dataset instanceof ChunkedDataset && !dataset.getFilters().isEmpty();
            long room = compressed ? Math.multiplyExact(fileSize, MAX_COMPRESSION_RATIO) : fileSize;
            if (bytes > room) {
                return "declares " + bytes + " bytes of data, more than the file's " + fileSize + " bytes can hold";
            }
            return null;
        } catch (ArithmeticException e) {
            return "declares more data than can be counted (its dimensions overflow)";
        }
    }

    /**
     * A jHDF failure (or a JVM error it led to) as the end of a one-line message: its own message and, when jHDF
     * wrapped another failure ("Failed to load children …"), the root cause's, which says what was wrong.
     */
    public static String describe(Throwable e) {
        if (e instanceof OutOfMemoryError) return "a size in it is larger than the memory available";
        if (e instanceof StackOverflowError) return "its structure nests without end";
        Throwable root = e;
        for (int depth = 0; root.getCause() != null && depth < 16; depth++) root = root.getCause();
        String outer = message(e), inner = message(root);
        return root == e || outer.contains(inner) ? outer : outer + ": " + inner;
    }

    private static String message(Throwable e) {
        String m = e.getMessage();
        if (m == null || m.isBlank()) return e.getClass().getSimpleName();
        return m.replaceAll("\\s+", " ").trim();
    }
}
