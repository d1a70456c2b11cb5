package pinkcnn.trainer.data;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress of one phase of a long job on stderr: a progress bar on a terminal; in a file or a pipe, where a bar
 * redrawn with carriage returns becomes one endless line, a readable line every few seconds and one at the end of
 * the phase. Or nothing.
 */
public interface Progress extends AutoCloseable {

    void step();

    /** Advances by {@code n} at once (bytes, say). */
    void stepBy(long n);

    @Override
    void close();

    /** Opens phases: {@code phase(name, total)}. */
    interface Factory {
        Progress phase(String name, long total);
    }

    Factory SILENT = (name, total) -> new Progress() {
        @Override public void step() { }
        @Override public void stepBy(long n) { }
        @Override public void close() { }
    };

    /** Seconds between two lines of a phase when stderr is not a terminal. */
    long LINE_INTERVAL_SECONDS = 5;

    /** Plain lines: the phase's count every {@link #LINE_INTERVAL_SECONDS} seconds, and a line when it ends. */
    Factory LINES = (name, total) -> new Lines(System.err, name, total, LINE_INTERVAL_SECONDS * 1_000_000_000L);

    /** A bar when stderr is a terminal, else {@link #LINES}. */
    Factory BARS = (name, total) -> stderrIsTerminal() ? bar(name, total, "", 1) : LINES.phase(name, total);

    /**
     * As {@link #BARS} for a count of bytes (a download; total −1 when unknown): megabytes and the rate, also on
     * every plain line, since the rate is what one watches a download for.
     */
    Factory BYTES = (name, total) -> stderrIsTerminal() ? bar(name, total, " MB", 1_000_000)
            : new Lines(System.err, name, total, LINE_INTERVAL_SECONDS * 1_000_000_000L, 1_000_000, "MB");

    private static Progress bar(String name, long total, String unit, long unitSize) {
        ProgressBarBuilder b = new ProgressBarBuilder()
                .setTaskName(name)
                .setInitialMax(total)
                .setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(250)
                .setConsumer(new ConsoleProgressBarConsumer(System.err))
                .showSpeed();
        if (unitSize > 1) b.setUnit(unit, unitSize);
        ProgressBar bar = b.build();
        return new Progress() {
            @Override public void step() { bar.step(); }
            @Override public void stepBy(long n) { bar.stepBy(n); }
            @Override public void close() { bar.close(); }
        };
    }

    /**
     * Whether stderr is a terminal. The launcher says so in {@code pinkcnn.stderr.terminal} (it filters the JVM's
     * stderr through a pipe, so the JVM cannot see the terminal); otherwise Linux tells through /proc, and elsewhere
     * a console on stdin and stdout is taken as the sign.
     */
    static boolean stderrIsTerminal() {
        String told = System.getProperty("pinkcnn.stderr.terminal");
        if (told != null && !told.isBlank()) return Boolean.parseBoolean(told.trim());
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return System.console() != null;
        }
    }

    /**
     * Progress as lines of text, for logs: "train: 340/1140 (30 %), 4.1 s", or with a unit "lfw.tgz: 52.4/180.6 MB
     * (29 %), 5.0 s, 10.5 MB/s".
     */
    final class Lines implements Progress {
        private final PrintStream out;
        private final String name, unit;
        private final long total, intervalNanos, unitSize, start = System.nanoTime();
        private final AtomicLong done = new AtomicLong(), nextLine;

        Lines(PrintStream out, String name, long total, long intervalNanos) {
            this(out, name, total, intervalNanos, 1, "");
        }

        Lines(PrintStream out, String name, long total, long intervalNanos, long unitSize, String unit) {
            this.out = out;
            this.name = name;
            this.total = total;
            this.intervalNanos = intervalNanos;
            this.unitSize = unitSize;
            this.unit = unit;
            this.nextLine = new AtomicLong(start + intervalNanos);
        }

        @Override
        public void step() {
            stepBy(1);
        }

        @Override
        public void stepBy(long k) {
            long n = done.addAndGet(k), now = System.nanoTime(), due = nextLine.get();
            if (now - due >= 0 && nextLine.compareAndSet(due, now + intervalNanos)) line(n, now, false);
        }

        @Override
        public void close() {
            line(done.get(), System.nanoTime(), true);
        }

        private void line(long n, long now, boolean end) {
            double s = (now - start) / 1e9;
            String count, speed;
            if (unitSize == 1) {
                count = total > 0 ? String.format(Locale.ROOT, "%d/%d (%.0f %%)", n, total, 100.0 * n / total) : Long.toString(n);
                speed = end && s > 0 && n > 0 ? String.format(Locale.ROOT, ", %.1f/s", n / s) : "";
            } else {
                double u = unitSize;
                count = total > 0 ? String.format(Locale.ROOT, "%.1f/%.1f %s (%.0f %%)", n / u, total / u, unit, 100.0 * n / total)
                        : String.format(Locale.ROOT, "%.1f %s", n / u, unit);
                speed = s > 0 && n > 0 ? String.format(Locale.ROOT, ", %.1f %s/s", n / u / s, unit) : "";
            }
            out.printf(Locale.ROOT, "%s: %s%s %.1f s%s%n", name, count, end ? " in" : ",", s, speed);
            out.flush();
        }
    }
}
