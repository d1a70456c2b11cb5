package pinkcnn.engine.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Writes a file under a hidden temporary name in the same folder, then renames it over the target, so readers never
 * see half a file and a failed write leaves the old file as it was. The one place pinkcnn writes files from.
 */
public final class AtomicFiles {

    /** Writes the content to a stream. */
    public interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    /** Writes the content to a file at the given (temporary) path, for writers that need a path. */
    public interface PathContent {
        void writeTo(Path file) throws IOException;
    }

    private AtomicFiles() {}

    public static void write(Path file, Content content) throws IOException {
        writeAt(file, tmp -> {
            try (OutputStream out = Files.newOutputStream(tmp)) {
                content.writeTo(out);
            }
        });
    }

    public static void writeString(Path file, String text) throws IOException {
        write(file, out -> out.write(text.getBytes(StandardCharsets.UTF_8)));
    }

    public static void writeAt(Path file, PathContent content) throws IOException {
        Path target = file.toAbsolutePath();
        Path dir = target.getParent();
        if (dir == null || !Files.isDirectory(dir)) throw new IOException(file + ": the folder does not exist");
        // A fresh name beside the target (not Files.createTempFile, whose 0600 permissions the result would keep).
        Path tmp = dir.resolve("." + target.getFileName() + "." + ProcessHandle.current().pid() + "-"
                + Long.toHexString(System.nanoTime()) + ".partial");
        try {
            content.writeTo(tmp);
            try {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
