package pinkcnn.trainer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import pinkcnn.engine.backend.Backend;
import pinkcnn.trainer.bench.BenchCase;
import pinkcnn.trainer.bench.BenchResult;
import pinkcnn.trainer.bench.BenchRunner;
import pinkcnn.trainer.bench.KernelCases;
import pinkcnn.trainer.bench.KernelTimer;

/** {@code pinkcnn bench}: times backend kernels on MobileNetV2's shapes; GFLOP/s, GB/s and the fraction of peak. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Time backend kernels (median of repeated runs) on MobileNetV2's shapes.")
public final class BenchCommand implements Callable<Integer> {

    @Mixin
    DeviceOption device;

    @Option(names = "--op", split = ",", paramLabel = "OP",
            description = "Kernels to time: gemm, conv1x1, depthwise, conv3x3, pool (default: all).")
    List<String> ops;

    @Option(names = "--json", description = "Print one JSON object {\"results\":[…]} instead of a table.")
    boolean json;

    @Option(names = "--peak-gflops", defaultValue = "268", paramLabel = "G",
            description = "The device's fp32 peak for the %% column (default: ${DEFAULT-VALUE}, 2 AVX-512 cores).")
    double peakGflops;

    @Option(names = "--min-time", defaultValue = "0.5", paramLabel = "S",
            description = "Seconds of timed runs per case, at least 5 runs (default: ${DEFAULT-VALUE}).")
    double minSeconds;

    @Override
    public Integer call() throws Exception {
        List<String> chosen = ops == null || ops.isEmpty() ? KernelCases.OPS : ops;
        for (String op : chosen) {
            if (!KernelCases.OPS.contains(op)) throw new UserError("unknown --op '" + op + "'; choose from " + KernelCases.OPS);
        }
        List<BenchResult> results = new ArrayList<>();
        try (Backend backend = device.open()) {
            BenchRunner runner = new BenchRunner(KernelTimer.wallClock(backend), minSeconds);
            KernelCases cases = new KernelCases(backend);
            if (!json) System.out.printf("%-16s %-22s %10s %9s %8s %7s   (%s, %d threads)%n",
                    "op", "shape", "median ms", "GFLOP/s", "GB/s", "%peak", backend.name(), device.threads());
            for (String op : chosen) {
                for (BenchCase c : cases.cases(op)) {
                    BenchResult r = BenchResult.of(c, backend.name(), device.threads(), runner.medianMillis(c.kernel()), peakGflops);
                    results.add(r);
                    if (!json) print(r);
                }
            }
        }
        if (json) {
            System.out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsString(Map.of("results", results)));
        }
        return 0;
    }

    private static void print(BenchResult r) {
        System.out.printf("%-16s %-22s %10.3f %9s %8.1f %7s%n", r.op(), r.shape(), r.medianMs(),
                r.gflops() > 0 ? String.format("%.1f", r.gflops()) : "-", r.gbps(),
                r.gflops() > 0 ? String.format("%.1f%%", 100 * r.peakFraction()) : "-");
    }
}
