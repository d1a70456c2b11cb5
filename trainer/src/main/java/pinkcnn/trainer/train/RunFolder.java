package pinkcnn.trainer.train;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import pinkcnn.trainer.UserError;

/**
 * The files of one training run. A run folder is self-contained: {@code evaluate} and {@code predict} need nothing
 * else.
 * <pre>
 *   run.json        the configuration: data, classes, preprocessing, cut, head, optimiser…
 *   model.h5        the trained model (backbone up to the cut + head), Keras layout, best dev epoch
 *   metrics.csv     one row per epoch
 *   report.json/.md accuracy, macro-F1, per-class precision/recall, confusion matrices, baselines
 *   curves.png, confusion.png, errors.png (the misclassified test photos with their Grad-CAM)
 *   checkpoint/     the last finished epoch (model, optimiser moments, state), for --resume
 *   members/member-K/  with --ensemble N: the other N−1 models, each a run folder of its own (seed + K)
 *   cam/            class activation maps ('pinkcnn cam' without --out)
 *   .lock           locked while a process writes the folder ({@link #lock}), naming that process
 * </pre>
 * A run folder holds one run: {@code train --force} builds the new run in {@link #staging()} and swaps it in only
 * once it is complete ({@link #replaceWith}).
 */
public record RunFolder(Path dir) {
    public Path config() { return dir.resolve("run.json"); }

    public Path model() { return dir.resolve("model.h5"); }

    public Path metrics() { return dir.resolve("metrics.csv"); }

    public Path curves() { return dir.resolve("curves.png"); }

    public Path confusion() { return dir.resolve("confusion.png"); }

    public Path checkpoint() { return dir.resolve("checkpoint"); }

    /** Written when a member of an ensemble has finished training (so --resume skips it). */
    public Path finished() { return dir.resolve("finished"); }

    /** Member k (1 … ensemble − 1) of this run's ensemble; member 0 is this run itself. */
    public RunFolder member(int k) {
        return k == 0 ? this : new RunFolder(dir.resolve("members").resolve("member-" + k));
    }

    /** The lock file: locked while a process writes the folder; it names that process. */
    public static final String LOCK_FILE = ".lock";

    /** Everything a run folder may hold (see the class comment), beside hidden temporary files. */
    private static final Set<String> RUN_ENTRIES = Set.of("run.json", "model.h5", "metrics.csv", "report.json", "report.md",
            "curves.png", "confusion.png", "errors.png", "checkpoint", "checkpoint.old", "checkpoint.tmp", "members",
            "finished", "cam", LOCK_FILE);

    /** What a folder holds, for deciding whether a new run may be written into it. */
    public enum Kind { EMPTY, RUN, OTHER }

    /** What the folder holds, with the names that are no run's files (for {@link Kind#OTHER}). */
    public record Contents(Kind kind, List<String> others) {}

    /**
     * EMPTY: missing, or nothing but the lock file; RUN: only files a run writes; OTHER: anything else (a folder of
     * the user's, which train must neither mix a run into nor replace).
     */
    public Contents contents() throws IOException {
        if (!Files.exists(dir)) return new Contents(Kind.EMPTY, List.of());
        if (!Files.isDirectory(dir)) return new Contents(Kind.OTHER, List.of(dir.getFileName() + " (a file)"));
        List<String> others = new ArrayList<>();
        boolean any = false;
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.sorted().toList()) {
                String name = p.getFileName().toString();
                if (name.equals(LOCK_FILE)) continue;
                any = true;
                boolean leftover = name.startsWith(".") && name.endsWith(".partial"); // an interrupted atomic write
                if (!RUN_ENTRIES.contains(name) && !leftover) others.add(name);
            }
        }
        return new Contents(!others.isEmpty() ? Kind.OTHER : any ? Kind.RUN : Kind.EMPTY, others);
    }

    /** Where {@code train --force} builds the run that replaces this one: {@code NAME.new} beside it. */
    public RunFolder staging() {
        return new RunFolder(dir.resolveSibling(dir.getFileName() + ".new"));
    }

    /** Deletes everything in the folder but its lock file (a staging folder left by a failed run, before reuse). */
    public void clear() throws IOException {
        if (!Files.isDirectory(dir)) return;
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) if (!p.getFileName().toString().equals(LOCK_FILE)) Checkpoint.deleteTree(p);
        }
    }

    /** Deletes the folder with everything in it (a staging folder whose run failed before it could resume). */
    public void delete() throws IOException {
        Checkpoint.deleteTree(dir);
    }

    /**
     * Replaces this run by the complete run in {@code staged} (both locked by the caller): this folder is renamed
     * aside, the staged one renamed to its name, and the old one deleted. A crash between the two renames leaves
     * {@code NAME.old} and {@code NAME.new}, which {@link #finishReplacement} completes.
     */
    public void replaceWith(RunFolder staged) throws IOException {
        Path aside = dir.resolveSibling(dir.getFileName() + ".old");
        Checkpoint.deleteTree(aside);
        Files.move(dir, aside, StandardCopyOption.ATOMIC_MOVE);
        Files.move(staged.dir(), dir, StandardCopyOption.ATOMIC_MOVE);
        Checkpoint.deleteTree(aside);
    }

    /** Completes a {@link #replaceWith} a crash interrupted: the folder is missing, its new run is staged, complete. */
    public void finishReplacement() throws IOException {
        Path aside = dir.resolveSibling(dir.getFileName() + ".old");
        RunFolder staged = staging();
        if (Files.exists(dir) || !Files.isDirectory(aside) || !Files.isRegularFile(staged.config())
                || !Files.isRegularFile(staged.dir().resolve(pinkcnn.trainer.report.Report.JSON_FILE))) return;
        try (Lock busy = staged.lock("pinkcnn train (finishing the replacement of " + dir + ")")) {
            if (!Files.exists(dir)) {
                Files.move(staged.dir(), dir, StandardCopyOption.ATOMIC_MOVE);
                Checkpoint.deleteTree(aside);
            }
        } catch (UserError inUse) {
            // the process that replaces it is finishing now
        }
    }

    /** Folders this process has locked, with their holder lines (see {@link #lock}). */
    private static final java.util.Map<Path, String> HELD = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * Locks the folder (creating it) for a process that writes it: another pinkcnn process that tries gets a one-line
     * error naming this one (command, pid, host, start time). An operating-system file lock, so it dies with its
     * process: a lock file left by a killed run blocks nothing.
     *
     * @param command what holds the lock, for the message ("pinkcnn train")
     */
    public Lock lock(String command) throws IOException {
        Files.createDirectories(dir);
        Path real = dir.toRealPath();
        Path file = real.resolve(LOCK_FILE);
        String me = command + ", pid " + ProcessHandle.current().pid() + " on " + hostName() + ", started " + startTime();
        // POSIX locks belong to the process, and closing any descriptor of the file drops them: a second lock attempt
        // from this process must not open the file at all, so this process's own locks are looked up first.
        if (HELD.putIfAbsent(real, me) != null) throw inUse(HELD.get(real));
        try {
            for (int attempt = 0; ; attempt++) {
                Object before = fileKey(file);
                FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
                FileLock lock;
                try {
                    lock = ch.tryLock();
                } catch (IOException | RuntimeException e) {
                    ch.close();
                    throw e;
                }
                if (lock == null) {
                    ch.close();
                    throw inUse(holder(file));
                }
                // train --force swaps whole run folders: the file locked must still be the one the path names.
                if (before != null && before.equals(fileKey(file))) {
                    ch.truncate(0);
                    ch.write(ByteBuffer.wrap((me + "\n").getBytes(StandardCharsets.UTF_8)), 0);
                    ch.force(false);
                    return new Lock(real, ch, lock);
                }
                lock.release();
                ch.close();
                if (attempt == 5) throw new IOException(file + ": the lock file keeps changing");
            }
        } catch (IOException | RuntimeException e) {
            HELD.remove(real);
            throw e;
        }
    }

    private UserError inUse(String holder) {
        return new UserError(dir + " is in use by another process" + (holder.isEmpty() ? "" : " (" + holder + ")")
                + "; wait for it to finish or stop it, or choose another --out");
    }

    private static Object fileKey(Path file) {
        try {
            return Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
        } catch (IOException e) {
            return null;
        }
    }

    /** A held {@link #lock}; closing it unlocks the folder. */
    public static final class Lock implements AutoCloseable {
        private final Path folder;
        private final FileChannel channel;
        private final FileLock lock;

        private Lock(Path folder, FileChannel channel, FileLock lock) {
            this.folder = folder;
            this.channel = channel;
            this.lock = lock;
        }

        @Override
        public void close() throws IOException {
            try {
                if (lock.isValid()) lock.release();
                channel.close();
            } finally {
                HELD.remove(folder);
            }
        }
    }

    /** The lock file's line naming its holder. */
    private static String holder(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            return "";
        }
    }

    private static String hostName() {
        String env = System.getenv("HOSTNAME");
        if (env != null && !env.isBlank()) return env;
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "this host";
        }
    }

    private static String startTime() {
        Instant start = ProcessHandle.current().info().startInstant().orElse(Instant.now());
        return DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault()).format(start);
    }

    /** An existing run (run.json and model.h5 present), or a clear error. */
    public static RunFolder existing(Path dir) {
        RunFolder r = new RunFolder(dir);
        if (!Files.isRegularFile(r.config())) throw new UserError(dir + ": not a run folder (no run.json); train one with 'pinkcnn train'");
        if (!Files.isRegularFile(r.model())) throw new UserError(dir + ": the run has no model.h5 yet (did training finish an epoch?)");
        return r;
    }

    /** The configuration of an existing run in dir, or a clear error. */
    public static RunConfig existingConfig(Path dir) {
        RunFolder r = new RunFolder(dir);
        if (!Files.isRegularFile(r.config())) throw new UserError(dir + ": nothing to resume (no run.json)");
        return r.readConfig();
    }

    public RunConfig readConfig() {
        try {
            return RunConfig.read(config());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            // Jackson's own message runs over several lines (the source and a location); keep one.
            String where = e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")";
            throw new UserError(config() + ": unreadable run configuration" + where + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new UserError(config() + ": unreadable run configuration: " + e.getMessage());
        }
    }
}
