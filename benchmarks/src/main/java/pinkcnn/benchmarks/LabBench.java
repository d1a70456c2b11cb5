package pinkcnn.benchmarks;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import pinkcnn.engine.backend.Backend;
import pinkcnn.engine.backend.KernelLab;
import pinkcnn.engine.backend.Storage;

/**
 * What {@code pinkcnn bench} adds on a backend that is a {@link KernelLab} (the OpenCL backend): device-side timing,
 * every numbered version of a kernel side by side ({@code --variant}), the memory-copy kernel as the bandwidth
 * reference for the memory-bound kernels, and the launch overhead of one kernel. Of these the CPU backend has the
 * numbered versions alone ({@link KernelVersions}), timed by the wall clock.
 */
public final class LabBench {
    private LabBench() {}

    /** A case and the clock that times it. */
    public record Timed(BenchCase benchCase, KernelTimer timer) {}

    /** Whether the backend offers what {@code --variant} compares: numbered kernel versions. */
    public static boolean comparesVersions(Backend b) {
        return KernelVersions.of(b) != null;
    }

    /**
     * On a {@link KernelLab}, the device time of the kernels one run launched (on OpenCL the sum of their profiling
     * events: what the device spent, without the host's enqueue cost), from a short stream of runs
     * ({@link StreamTimer}); elsewhere the wall clock.
     */
    public static KernelTimer timer(Backend b) {
        if (b instanceof KernelLab lab) return new StreamTimer(lab);
        return KernelTimer.wallClock(b);
    }

    /**
     * Times a kernel as it runs inside a network's pass: several runs queued back to back, then one wait, and the
     * device time per run (short kernels get up to 16 runs per sample, enough for ~1 ms; long ones one). On a CPU
     * runtime a ~0.1 ms kernel still often runs on one worker thread while the other wakes up (PoCL's workers sleep
     * between commands), which is why such kernels swing between two speeds from run to run (docs/kernels.md).
     */
    static final class StreamTimer implements KernelTimer {
        private static final double STREAM_MS = 1.0;
        private static final int MAX_RUNS = Integer.getInteger("pinkcnn.bench.stream", 16);
        private final KernelLab lab;
        private final Map<Runnable, Integer> runs = new IdentityHashMap<>();

        StreamTimer(KernelLab lab) {
            this.lab = lab;
        }

        @Override
        public double timeMillis(Runnable kernel) {
            int r = runs.computeIfAbsent(kernel, k -> {
                double alone = lab.deviceNanos(k) / 1e6;
                return (int) Math.max(1, Math.min(MAX_RUNS, Math.ceil(STREAM_MS / Math.max(alone, 1e-3))));
            });
            return lab.deviceNanos(() -> {
                for (int i = 0; i < r; i++) kernel.run();
            }) / 1e6 / r;
        }
    }

    /**
     * A depthwise case's GB/s beside the copy kernel's on its input size, from alternating runs: the medians of each,
     * and the median of the ratios of neighbouring pairs (the fraction; neighbours share the machine's momentary
     * speed, so their ratio drifts less than either figure).
     */
    public record CopyRatio(@JsonProperty("shape") String shape, @JsonProperty("depthwise_gbps") double depthwiseGbps,
                            @JsonProperty("copy_gbps") double copyGbps, @JsonProperty("fraction") double fraction) {}

    /**
     * Each depthwise case against the memory copy of its input, the two timed alternately, run after run: measured
     * one after the other, each drifts with the machine's load by more than the difference being measured.
     */
    public static List<CopyRatio> depthwiseCopyRatios(Backend b, KernelCases cases, double minSeconds) {
        if (!(b instanceof KernelLab lab)) return List.of();
        KernelTimer device = timer(b);
        List<CopyRatio> out = new ArrayList<>();
        List<BenchCase> depthwise = cases.cases("depthwise");
        for (int i = 0; i < depthwise.size(); i++) {
            BenchCase dw = depthwise.get(i);
            long n = cases.depthwiseInputFloats(KernelCases.DEPTHWISE[i]);
            Storage x = b.allocate(n), y = b.allocate(n);
            Runnable copy = () -> lab.memoryCopyKernel(n, x, y);
            for (int w = 0; w < 5; w++) {
                device.timeMillis(dw.kernel());
                device.timeMillis(copy);
            }
            int runs = 0;
            double[] tDw = new double[1000], tCopy = new double[1000];
            double total = 0;
            while (runs < tDw.length && (runs < 20 || total < 2 * minSeconds * 1e3)) {
                tDw[runs] = device.timeMillis(dw.kernel());
                tCopy[runs] = device.timeMillis(copy);
                total += tDw[runs] + tCopy[runs++];
            }
            double[] ratios = new double[runs];
            for (int r = 0; r < runs; r++) ratios[r] = dw.bytes() / tDw[r] / (8.0 * n / tCopy[r]);
            out.add(new CopyRatio(dw.shape(), dw.bytes() / BenchRunner.median(tDw, runs) / 1e6,
                    8.0 * n / BenchRunner.median(tCopy, runs) / 1e6, BenchRunner.median(ratios, runs)));
        }
        return out;
    }

    /**
     * The extra cases for the chosen ops: with {@code variants}, each case of an op whose kernels have numbered versions
     * once per version (op {@code gemm.v1_naive}, {@code block.v2_fused} ...), timed as the backend's other cases; on
     * a {@link KernelLab} also a memory copy of each depthwise input size and the launch overhead (a 1-element kernel
     * by device time, by wall clock including the wait, and 100 of them queued back to back: the host's cost per
     * launch). {@code variants} on a backend without numbered versions is an {@link IllegalArgumentException} (check
     * {@link #comparesVersions} first).
     */
    public static List<Timed> cases(Backend b, KernelCases cases, List<String> ops, boolean variants) {
        KernelVersions versions = KernelVersions.of(b);
        if (variants && versions == null) throw new IllegalArgumentException(b.name() + " has no numbered kernel versions");
        KernelTimer device = timer(b);
        List<Timed> out = new ArrayList<>();
        if (variants) {
            for (String op : ops) {
                String family = versions.family(op);
                if (family == null) continue;
                for (String version : versions.backend().versions(family)) {
                    for (BenchCase c : cases.cases(op)) {
                        Runnable kernel = c.kernel();
                        // withVersion restores the version it found, so what runs after it (the depthwise-vs-copy
                        // ratios, anything else on this backend) runs the default, not the last version listed
                        out.add(new Timed(new BenchCase(op + "." + version, c.shape(), c.flops(), c.bytes(),
                                () -> versions.backend().withVersion(family, version, kernel)), device));
                    }
                }
            }
        }
        if (!(b instanceof KernelLab lab)) return out;
        if (ops.contains("depthwise")) {
            for (int[] d : KernelCases.DEPTHWISE) {
                long n = cases.depthwiseInputFloats(d);
                Storage x = b.allocate(n), y = b.allocate(n);
                out.add(new Timed(new BenchCase("memcopy", cases.label(d[0], d[1]), 0, 8.0 * n,
                        () -> lab.memoryCopyKernel(n, x, y)), device));
            }
        }
        Storage one = b.allocate(1);
        BenchCase launch = new BenchCase("launch", "1 element", 0, 0, () -> b.scale(1, 1f, one, one));
        out.add(new Timed(launch, device));
        out.add(new Timed(new BenchCase("launch+wait", "1 element", 0, 0, launch.kernel()), KernelTimer.wallClock(b)));
        out.add(new Timed(new BenchCase("100 launches", "1 element", 0, 0, () -> {
            for (int i = 0; i < 100; i++) launch.kernel().run(); // queued back to back, then one wait
        }), KernelTimer.wallClock(b)));
        return out;
    }
}
