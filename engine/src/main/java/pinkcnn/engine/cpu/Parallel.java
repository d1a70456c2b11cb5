package pinkcnn.engine.cpu;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * Splits index ranges over a fixed set of threads: the caller and {@code threads − 1} workers. Work below
 * {@code grain} items per part runs on the caller.
 *
 * <p>The parts of a loop are claimed one at a time from a shared counter, by the caller as well as the workers, so a
 * worker that is slow to start (asleep, or descheduled on a busy machine) costs nothing: the caller takes its parts,
 * and only waits for parts a worker has already begun. A fork/join pool did not work that way here: its external
 * caller, after its own part, blocked in {@code join()} on tasks that a worker had to wake up for, and at batch 1 that
 * made MobileNetV2 slower on two threads than on one. Idle workers park at once (see {@link #workerLoop}).
 * Loops started from inside a loop's body, or while another thread's loop runs, run on their caller.
 */
final class Parallel implements AutoCloseable {

    /** The body of a parallel loop over [from, to). */
    interface Range {
        void run(int from, int to);
    }

    /** The body of a parallel loop that also gets its chunk number, for per-chunk partial results. */
    interface ChunkRange {
        void run(int chunk, int from, int to);
    }

    /** One loop: parts claimed from {@code next}, {@code done} counts finished ones. */
    private static final class Job {
        final ChunkRange body;
        final int n, parts;
        final AtomicInteger next = new AtomicInteger(), done = new AtomicInteger();
        final AtomicReference<Throwable> failure = new AtomicReference<>();

        Job(ChunkRange body, int n, int parts) {
            this.body = body;
            this.n = n;
            this.parts = parts;
        }

        /** Runs parts until none is left unclaimed. */
        void work() {
            for (int p; (p = next.getAndIncrement()) < parts; ) {
                try {
                    if (failure.get() == null) body.run(p, (int) ((long) n * p / parts), (int) ((long) n * (p + 1) / parts));
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                } finally {
                    done.incrementAndGet();
                }
            }
        }
    }

    /** A worker that has had nothing to do for this long ends; the next loop starts it again. */
    private static final long IDLE_EXIT_NANOS = 30_000_000_000L;

    private final int threads;
    /** The workers, started by the first loop that needs them (null until then, or after one ended idle). */
    private final Thread[] workers;
    /** The loop workers should join (null: none); replaced by each loop. */
    private volatile Job current;
    private volatile boolean closed;
    /** Held by the thread whose loop runs now; others run theirs inline. */
    private final AtomicBoolean running = new AtomicBoolean();
    private static final ThreadLocal<Boolean> IN_BODY = ThreadLocal.withInitial(() -> false);

    Parallel(int threads) {
        this.threads = threads;
        this.workers = new Thread[Math.max(0, threads - 1)];
    }

    int threads() {
        return threads;
    }

    private void workerLoop() {
        IN_BODY.set(true);
        Job seen = null; // a finished loop has no parts left, so joining it costs one counter read
        long lastWork = System.nanoTime();
        while (!closed) {
            Job j = current;
            if (j != null && j != seen) {
                seen = j;
                j.work();
                lastWork = System.nanoTime();
                continue;
            }
            // Parks at once: a worker polling for the next loop took the core the caller needed (on the 2-vCPU
            // machine, busy with other work, polling 50 µs made batch 1 on two threads 15-20 % slower than parking)
            if (System.nanoTime() - lastWork > IDLE_EXIT_NANOS) return; // a loop that finds it ended starts another
            LockSupport.parkNanos(this, IDLE_EXIT_NANOS);
        }
    }

    /** Wakes the workers, starting those not running (called by the loop's owner only). */
    private void wakeWorkers() {
        for (int i = 0; i < workers.length; i++) {
            Thread t = workers[i];
            if (t == null || !t.isAlive()) {
                t = new Thread(this::workerLoop, "pinkcnn-cpu-" + (i + 1));
                t.setDaemon(true);
                workers[i] = t;
                t.start();
            } else {
                LockSupport.unpark(t);
            }
        }
    }

    /** Number of chunks {@link #forChunks} will use for n items with the given grain. */
    int chunks(int n, int grain) {
        if (threads <= 1 || n <= grain) return 1;
        return (int) Math.min(threads, (n + (long) grain - 1) / grain);
    }

    void forRange(int n, int grain, Range body) {
        int parts = threads <= 1 || n <= grain ? 1 : (int) Math.min(4L * threads, (n + (long) grain - 1) / grain);
        // one part is called here, so that where this method is inlined the call of the body is too
        if (parts <= 1) body.run(0, n);
        else run(n, parts, (chunk, from, to) -> body.run(from, to));
    }

    /** Exactly {@link #chunks(int, int)} contiguous chunks, numbered, for loops that keep one partial per chunk. */
    void forChunks(int n, int grain, ChunkRange body) {
        int parts = chunks(n, grain);
        if (parts <= 1) body.run(0, 0, n);
        else run(n, parts, body);
    }

    private void run(int n, int parts, ChunkRange body) {
        if (parts <= 1 || IN_BODY.get() || !running.compareAndSet(false, true)) {
            // one part, a loop inside a loop, or another thread's loop running: on the caller, in order
            for (int p = 0; p < parts; p++) body.run(p, (int) ((long) n * p / parts), (int) ((long) n * (p + 1) / parts));
            return;
        }
        Job job = new Job(body, n, parts);
        try {
            current = job;
            wakeWorkers();
            IN_BODY.set(true);
            try {
                job.work();
            } finally {
                IN_BODY.set(false);
            }
            // Only parts a worker has begun are left. Yielding while waiting lets a worker that shares this core run
            // (every spin, not every 256th: batch 1 on two threads ran 5-10 % faster on the busy 2-vCPU machine).
            while (job.done.get() < parts) Thread.yield();
        } finally {
            running.set(false);
        }
        Throwable t = job.failure.get();
        if (t instanceof RuntimeException e) throw e;
        if (t instanceof Error e) throw e;
        if (t != null) throw new IllegalStateException(t);
    }

    @Override
    public void close() {
        closed = true;
        for (Thread w : workers) if (w != null) LockSupport.unpark(w);
    }
}
