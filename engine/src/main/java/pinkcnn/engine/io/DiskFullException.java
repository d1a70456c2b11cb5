package pinkcnn.engine.io;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A write failed because the disk (or the user's quota) is full: the message names the file and says so, instead of
 * a writer's "Exception writing at position …". Made by {@link AtomicFiles#diskFull}.
 */
public final class DiskFullException extends IOException {
    private final Path file;

    DiskFullException(Path file, String reason, Throwable cause) {
        super(file + ": " + reason, cause);
        this.file = file;
    }

    /** The file that was being written. */
    public Path file() {
        return file;
    }
}
