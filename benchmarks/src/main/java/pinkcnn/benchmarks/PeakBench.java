package pinkcnn.benchmarks;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import pinkcnn.engine.backend.Backend;
import pinkcnn.engine.backend.KernelLab;
import pinkcnn.engine.backend.Storage;

/**
 * The machine's own roofs, measured instead of taken from a data sheet: the fp32 peak (independent chains of
 * multiply-adds, as clpeak measures it) and the copy bandwidth of an array far larger than the last-level cache. On
 * the CPU backend both run in Java on T threads (Vector API, {@link FloatVector#SPECIES_PREFERRED}); on a
 * {@link KernelLab} (OpenCL) they are the device's peak kernel and its copy kernel, timed by the device. Each figure
 * is the best of several runs: a peak is what the machine can do, and on a shared machine every slower run is
 * another process taking a share.
 */
public final class PeakBench {
    /** A device's measured roofs at a thread count (the device's own for OpenCL), and when they were measured. */
    public record Peak(@JsonProperty("device") String device, @JsonProperty("threads") int threads,
                       @JsonProperty("gflops") double gflops, @JsonProperty("copy_gbps") double copyGbps,
                       @JsonProperty("measured") String measured) {
        /** Flops per byte where the two roofs meet: kernels below it are bound by memory, above it by arithmetic. */
        public double ridge() {
            return gflops / copyGbps;
        }
    }

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /**
     * Independent FMA chains per thread. An FMA's result is ready after ~4 cycles and a core starts 2 per cycle, so
     * fewer than 8 chains leave the FMA pipes waiting; 12 leaves a margin and still fits the 32 vector registers.
     */
    static final int CHAINS = 12;
    /** Floats per array of the copy: 128 MB each, several times any last-level cache. */
    public static final int COPY_FLOATS = 32 << 20;
    /** Many short runs rather than a few long ones: on a shared machine the best run is one that nothing interrupted. */
    private static final int RUNS = 10;
    private static final double RUN_SECONDS = 0.05;

    private PeakBench() {}

    /** The roofs of {@code backend}: Java on {@code threads} threads for the CPU backend, the device's for OpenCL. */
    public static Peak measure(Backend backend, int threads) {
        String now = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm"));
        if (backend instanceof KernelLab lab && supportsPeak(lab)) {
            return new Peak(backend.name(), threads, deviceGflops(lab), deviceCopyGbps(backend, lab), now);
        }
        return new Peak(backend.name(), threads, cpuGflops(threads), cpuCopyGbps(threads), now);
    }

    private static boolean supportsPeak(KernelLab lab) {
        try {
            lab.deviceNanos(() -> lab.peakFmaKernel(1));
            return true;
        } catch (UnsupportedOperationException e) {
            return false;
        }
    }

    // ---- CPU: Java on T threads -----------------------------------------------------------------------------------

    /** Flops of one {@link #fmaChains} round: every chain one FMA on a full vector. */
    static double flopsPerRound() {
        return 2.0 * CHAINS * S.length();
    }

    /**
     * {@code rounds} rounds of {@value #CHAINS} independent FMAs; returns their sum so the JIT keeps the work. Written
     * out chain by chain: an array of vectors would not stay in registers.
     */
    static float fmaChains(int rounds, float seed) {
        FloatVector m = FloatVector.broadcast(S, 0.9999f), c = FloatVector.broadcast(S, 1e-4f);
        FloatVector a0 = FloatVector.broadcast(S, seed), a1 = a0.add(1f), a2 = a0.add(2f), a3 = a0.add(3f),
                a4 = a0.add(4f), a5 = a0.add(5f), a6 = a0.add(6f), a7 = a0.add(7f), a8 = a0.add(8f), a9 = a0.add(9f),
                a10 = a0.add(10f), a11 = a0.add(11f);
        for (int i = 0; i < rounds; i++) {
            a0 = a0.fma(m, c);
            a1 = a1.fma(m, c);
            a2 = a2.fma(m, c);
            a3 = a3.fma(m, c);
            a4 = a4.fma(m, c);
            a5 = a5.fma(m, c);
            a6 = a6.fma(m, c);
            a7 = a7.fma(m, c);
            a8 = a8.fma(m, c);
            a9 = a9.fma(m, c);
            a10 = a10.fma(m, c);
            a11 = a11.fma(m, c);
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11)
                .reduceLanes(VectorOperators.ADD);
    }

    /** The best GFLOP/s of {@value #RUNS} runs of ~50 ms, each thread running its own chains. */
    static double cpuGflops(int threads) {
        for (int w = 0; w < 300; w++) fmaChains(10_000, w); // compiled before it is timed
        int rounds = 1_000_000;
        double seconds = parallelSeconds(threads, t -> fmaChains(1_000_000, t));
        rounds = (int) Math.min(Integer.MAX_VALUE, Math.max(1, rounds * RUN_SECONDS / Math.max(seconds, 1e-6)));
        int r = rounds;
        double best = 0;
        for (int run = 0; run < RUNS; run++) {
            double s = parallelSeconds(threads, t -> fmaChains(r, t));
            best = Math.max(best, threads * (double) r * flopsPerRound() / s / 1e9);
        }
        return best;
    }

    /** The best GB/s (bytes read plus bytes written) of copying a 128 MB float array, split over the threads. */
    static double cpuCopyGbps(int threads) {
        float[] x = new float[COPY_FLOATS], y = new float[COPY_FLOATS];
        java.util.Arrays.fill(x, 1f); // the pages exist before the timing
        java.util.Arrays.fill(y, 0f);
        int chunk = (COPY_FLOATS + threads - 1) / threads;
        double best = 0;
        for (int run = 0; run < RUNS + 1; run++) { // the first run warms up
            double s = parallelSeconds(threads, t -> {
                int from = t * chunk, n = Math.min(chunk, COPY_FLOATS - from);
                if (n > 0) System.arraycopy(x, from, y, from, n);
                return y[from];
            });
            if (run > 0) best = Math.max(best, 8.0 * COPY_FLOATS / s / 1e9);
        }
        return best;
    }

    private interface Work {
        float run(int thread);
    }

    /**
     * Wall time from the first thread's start to the last thread's end, each thread reading the clock itself: the
     * thread that releases the others may be scheduled long after them on a busy machine, and timing from its clock
     * would leave out the start of the work (and make a run look faster than the machine can go).
     */
    private static double parallelSeconds(int threads, Work work) {
        CyclicBarrier start = new CyclicBarrier(threads);
        List<Thread> all = new ArrayList<>();
        float[] sink = new float[threads];
        long[] begin = new long[threads], end = new long[threads];
        for (int t = 0; t < threads; t++) {
            int id = t;
            Thread th = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException | BrokenBarrierException e) {
                    return;
                }
                begin[id] = System.nanoTime();
                sink[id] = work.run(id);
                end[id] = System.nanoTime();
            }, "pinkcnn-peak-" + t);
            th.start();
            all.add(th);
        }
        try {
            for (Thread th : all) th.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while measuring the peak", e);
        }
        long first = Long.MAX_VALUE, last = Long.MIN_VALUE;
        for (int t = 0; t < threads; t++) {
            first = Math.min(first, begin[t]);
            last = Math.max(last, end[t]);
        }
        return (last - first) / 1e9;
    }

    // ---- a KernelLab (OpenCL): the device's own kernels, device time -------------------------------------------------

    static double deviceGflops(KernelLab lab) {
        double[] flops = new double[1];
        // warm-up and calibration: one short launch builds the program, a second says how long a round takes
        lab.deviceNanos(() -> lab.peakFmaKernel(100));
        long ns = lab.deviceNanos(() -> flops[0] = lab.peakFmaKernel(1000));
        int rounds = (int) Math.min(Integer.MAX_VALUE, Math.max(1, 1000 * RUN_SECONDS * 1e9 / Math.max(ns, 1)));
        double best = 0;
        for (int run = 0; run < RUNS; run++) {
            long t = lab.deviceNanos(() -> flops[0] = lab.peakFmaKernel(rounds));
            best = Math.max(best, flops[0] / t);
        }
        return best;
    }

    static double deviceCopyGbps(Backend b, KernelLab lab) {
        Storage x = b.allocate(COPY_FLOATS), y = b.allocate(COPY_FLOATS);
        try {
            lab.deviceNanos(() -> lab.memoryCopyKernel(COPY_FLOATS, x, y));
            double best = 0;
            for (int run = 0; run < RUNS; run++) {
                long t = lab.deviceNanos(() -> lab.memoryCopyKernel(COPY_FLOATS, x, y));
                best = Math.max(best, 8.0 * COPY_FLOATS / t);
            }
            return best;
        } finally {
            x.release();
            y.release();
        }
    }
}
