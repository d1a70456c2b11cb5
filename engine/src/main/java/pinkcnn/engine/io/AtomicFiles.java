package pinkcnn.engine.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Writes a file under a hidden temporary name in the same folder, then renames it over the target, so readers never
 * see half a file and a failed write leaves the old file as it was. The one place pinkcnn writes files from.
 *
 * <p>A target that exists and is neither a file nor a folder (a device such as {@code /dev/stdout}, a named pipe) is
 * written directly: it cannot be renamed over, and its reader sees the bytes as they come anyway. A write that fails
 * because the disk is full throws a {@link DiskFullException} naming the file.
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
        writeAt(file, stream(content));
    }

    public static void writeString(Path file, String text) throws IOException {
        write(file, out -> out.write(text.getBytes(StandardCharsets.UTF_8)));
    }

    public static void writeAt(Path file, PathContent content) throws IOException {
        try (Group group = new Group()) {
            group.writeAt(file, content);
            group.commit();
        }
    }

    /**
     * Checks that {@code file} can be written later (its folder exists and it is not a folder), so that a command can
     * refuse a bad output path before it computes anything.
     */
    public static void checkWritable(Path file) throws IOException {
        Path target = file.toAbsolutePath();
        if (Files.isDirectory(target)) throw new FileSystemException(file.toString(), null, "is a folder, not a file");
        Path dir = target.getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw new NoSuchFileException(file.toString(), null, "the folder " + dir + " does not exist");
        }
        // The file is replaced by a rename, which needs the folder to be writable (not the file).
        if (!Files.isWritable(dir)) {
            throw new java.nio.file.AccessDeniedException(file.toString(), null, "permission denied (cannot write in " + dir + ")");
        }
    }

    /**
     * True when {@code e} or one of its causes says that the disk or the quota is full (ENOSPC, EDQUOT), whatever
     * wrapped it (jHDF, for one, reports "Exception writing at position …" with the system's error as the cause).
     */
    public static boolean isDiskFull(Throwable e) {
        return diskFullReason(e) != null;
    }

    /**
     * {@code e} as a {@link DiskFullException} naming {@code file} when it says the disk is full; otherwise null. For
     * the write sites that do not go through this class: {@code catch (IOException | RuntimeException e) { var full =
     * AtomicFiles.diskFull(file, e); if (full != null) throw full; throw e; }}.
     */
    public static DiskFullException diskFull(Path file, Throwable e) {
        if (e instanceof DiskFullException d) return d;
        String reason = diskFullReason(e);
        return reason == null ? null : new DiskFullException(file, reason, e);
    }

    private static String diskFullReason(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof DiskFullException) return "the disk is full (no space left on device)";
            String m = t.getMessage() == null ? "" : t.getMessage().toLowerCase(Locale.ROOT);
            if (m.contains("no space left on device") || m.contains("enospc")) return "the disk is full (no space left on device)";
            if (m.contains("disk quota exceeded") || m.contains("edquot")) return "the disk quota is exceeded";
        }
        return null;
    }

    private static PathContent stream(Content content) {
        return tmp -> {
            try (OutputStream out = Files.newOutputStream(tmp)) {
                content.writeTo(out);
            }
        };
    }

    /**
     * Files that appear together or not at all (say an activation and its picture): each is written under a temporary
     * name, and {@link #commit()} renames them all into place once every one is complete; closing without a commit
     * deletes the temporary files and leaves the targets as they were.
     */
    public static final class Group implements AutoCloseable {
        private final List<Path[]> pending = new ArrayList<>(); // {temporary, target}
        private boolean done;

        public void write(Path file, Content content) throws IOException {
            writeAt(file, stream(content));
        }

        public void writeAt(Path file, PathContent content) throws IOException {
            Path target = file.toAbsolutePath();
            if (Files.exists(target) && !Files.isRegularFile(target) && !Files.isDirectory(target)) {
                run(file, target, content); // a device or a pipe: written as it is
                return;
            }
            checkWritable(file);
            // A fresh name beside the target (not Files.createTempFile, whose 0600 permissions the result would keep).
            Path tmp = target.resolveSibling("." + target.getFileName() + "." + ProcessHandle.current().pid() + "-"
                    + Long.toHexString(System.nanoTime()) + ".partial");
            pending.add(new Path[] {tmp, target});
            run(file, tmp, content);
        }

        /** Renames every file written into place. */
        public void commit() throws IOException {
            for (Path[] p : pending) {
                try {
                    try {
                        Files.move(p[0], p[1], StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                    } catch (AtomicMoveNotSupportedException e) {
                        Files.move(p[0], p[1], StandardCopyOption.REPLACE_EXISTING);
                    }
                } catch (IOException e) {
                    DiskFullException full = diskFull(p[1], e);
                    throw full != null ? full : e;
                }
            }
            done = true;
        }

        /** Deletes what was written but not committed. */
        @Override
        public void close() throws IOException {
            IOException first = null;
            for (Path[] p : pending) {
                try {
                    Files.deleteIfExists(p[0]);
                } catch (IOException e) {
                    if (first == null && !done) first = e;
                }
            }
            pending.clear();
            if (first != null) throw first;
        }

        private static void run(Path file, Path at, PathContent content) throws IOException {
            try {
                content.writeTo(at);
            } catch (IOException | RuntimeException e) {
                DiskFullException full = diskFull(file, e);
                if (full != null) throw full;
                throw e;
            }
        }
    }
}
