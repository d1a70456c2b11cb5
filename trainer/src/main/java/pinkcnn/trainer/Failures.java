package pinkcnn.trainer;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import pinkcnn.engine.io.AtomicFiles;
import pinkcnn.engine.io.DiskFullException;

/**
 * How the CLI reports a failure: always one line on stderr. The user's mistakes and the machine's limits (a
 * {@link UserError}, a file that is missing or not allowed, a full disk, too little memory) say what and where, with
 * exit code 2; anything else is a bug, reported with the file its full stack trace was written to, exit code 1.
 */
final class Failures {
    /** Exit code of a bug. */
    static final int BUG = 1;

    private Failures() {}

    /** Prints the line for {@code e} after {@code prefix} ("pinkcnn train") and returns the exit code. */
    static int report(Throwable e, PrintWriter err, String prefix, String[] args) {
        int code;
        String line;
        UserError user = find(e, UserError.class);
        DiskFullException full = find(e, DiskFullException.class);
        FileSystemException fs = find(e, FileSystemException.class);
        pinkcnn.kernels.KernelBuildException kernel = find(e, pinkcnn.kernels.KernelBuildException.class);
        if (user != null) {
            line = user.getMessage();
            code = user.exitCode();
        } else if (kernel != null) {
            line = kernel.getMessage(); // names the .cl file and carries the OpenCL compiler's log
            code = 2;
        } else if (full != null) {
            line = full.getMessage();
            code = 2;
        } else if (AtomicFiles.isDiskFull(e)) {
            line = (fs != null && fs.getFile() != null ? fs.getFile() + ": " : "") + "the disk is full (no space left on device)";
            code = 2;
        } else if (fs != null) {
            line = describe(fs);
            code = 2;
        } else if (find(e, OutOfMemoryError.class) != null) {
            line = String.format("out of memory: the job needs more than the %d MiB of heap Java may use; use smaller batches "
                    + "or images, or allow more with PINKCNN_JAVA_OPTS=-Xmx<size> (see README)", Runtime.getRuntime().maxMemory() >> 20);
            code = 2;
        } else {
            Path trace = writeTrace(e, args);
            line = "internal error (" + summary(e) + "); "
                    + (trace != null ? "the full trace is in " + trace + "; please report it with that file" : "please report it");
            code = BUG;
            if (trace == null) e.printStackTrace(err);
        }
        err.println(prefix + ": " + line);
        err.flush();
        return code;
    }

    /** The first throwable of type {@code type} in e's chain of causes. */
    static <T extends Throwable> T find(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) return type.cast(t);
        }
        return null;
    }

    /** A file-system failure as one line: the file and what is wrong with it. */
    static String describe(FileSystemException e) {
        String file = e.getFile() == null ? "" : e.getFile() + (e.getOtherFile() == null ? "" : " -> " + e.getOtherFile()) + ": ";
        if (e.getReason() != null && !e.getReason().isBlank()) return file + e.getReason();
        if (e instanceof NoSuchFileException) return file + "no such file or folder";
        if (e instanceof AccessDeniedException) return file + "permission denied";
        if (e instanceof NotDirectoryException) return file + "not a folder";
        if (e instanceof FileAlreadyExistsException) return file + "already exists";
        if (e instanceof DirectoryNotEmptyException) return file + "the folder is not empty";
        return file + e.getClass().getSimpleName();
    }

    /** The innermost cause, as its class and message. */
    private static String summary(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        String m = root.getMessage();
        return root.getClass().getSimpleName() + (m == null || m.isBlank() ? "" : ": " + m.lines().findFirst().orElse(""));
    }

    /**
     * Writes the trace, the command line and the versions to a file under the cache folder's {@code errors/} (else
     * the system's temporary folder); returns it, or null when neither can be written.
     */
    private static Path writeTrace(Throwable e, String[] args) {
        StringWriter text = new StringWriter();
        try (PrintWriter w = new PrintWriter(text)) {
            w.println("pinkcnn " + String.join(" ", args));
            w.println("Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + "), "
                    + System.getProperty("os.name") + " " + System.getProperty("os.arch") + ", "
                    + Runtime.getRuntime().availableProcessors() + " cores, heap " + (Runtime.getRuntime().maxMemory() >> 20) + " MiB");
            w.println();
            e.printStackTrace(w);
        }
        String name = "error-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + "-"
                + ProcessHandle.current().pid() + ".txt";
        for (int attempt = 0; attempt < 2; attempt++) {
            try {
                Path dir = attempt == 0 ? Cache.dir().resolve("errors") : Path.of(System.getProperty("java.io.tmpdir"));
                Files.createDirectories(dir);
                Path file = dir.resolve(attempt == 0 ? name : "pinkcnn-" + name);
                Files.writeString(file, text.toString(), StandardCharsets.UTF_8);
                return file;
            } catch (IOException | RuntimeException ignored) {
                // try the next place
            }
        }
        return null;
    }
}
