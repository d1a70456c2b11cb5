package pinkcnn.engine.cpu;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;

/** Splits index ranges over a fixed pool of threads. Work below {@code grain} items per task runs on the caller. */
final class Parallel implements AutoCloseable {

    /** The body of a parallel loop over [from, to). */
    interface Range {
        void run(int from, int to);
    }

    /** The body of a parallel loop that also gets its chunk number, for per-chunk partial results. */
    interface ChunkRange {
        void run(int chunk, int from, int to);
    }

    private final ForkJoinPool pool;
    private final int threads;

    Parallel(int threads) {
        this.threads = threads;
        this.pool = threads > 1 ? new ForkJoinPool(threads) : null;
    }

    int threads() {
        return threads;
    }

    /** Number of chunks {@link #forChunks} will use for n items with the given grain. */
    int chunks(int n, int grain) {
        if (pool == null || n <= grain) return 1;
        return (int) Math.min(threads, (n + (long) grain - 1) / grain);
    }

    void forRange(int n, int grain, Range body) {
        int parts = pool == null || n <= grain ? 1 : (int) Math.min(4L * threads, (n + (long) grain - 1) / grain);
        if (parts <= 1) {
            body.run(0, n);
            return;
        }
        List<ForkJoinTask<?>> tasks = new ArrayList<>(parts);
        for (int p = 1; p < parts; p++) {
            int from = (int) ((long) n * p / parts), to = (int) ((long) n * (p + 1) / parts);
            tasks.add(pool.submit(() -> body.run(from, to)));
        }
        body.run(0, (int) ((long) n / parts)); // the caller works too instead of sleeping in join()
        for (ForkJoinTask<?> t : tasks) t.join();
    }

    /** Exactly {@link #chunks(int, int)} contiguous chunks, numbered, for loops that keep one partial per chunk. */
    void forChunks(int n, int grain, ChunkRange body) {
        int parts = chunks(n, grain);
        if (parts <= 1) {
            body.run(0, 0, n);
            return;
        }
        List<ForkJoinTask<?>> tasks = new ArrayList<>(parts);
        for (int p = 1; p < parts; p++) {
            int chunk = p, from = (int) ((long) n * p / parts), to = (int) ((long) n * (p + 1) / parts);
            tasks.add(pool.submit(() -> body.run(chunk, from, to)));
        }
        body.run(0, 0, (int) ((long) n / parts));
        for (ForkJoinTask<?> t : tasks) t.join();
    }

    @Override
    public void close() {
        if (pool != null) pool.shutdown();
    }
}
