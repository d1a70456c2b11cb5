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
import pinkcnn.benchmarks.BenchCase;
import pinkcnn.benchmarks.BenchResult;
import pinkcnn.benchmarks.BenchRunner;
import pinkcnn.benchmarks.KernelCases;
import pinkcnn.benchmarks.LabBench;
import pinkcnn.benchmarks.ModelBench;
import pinkcnn.engine.backend.Backend;

/**
 * {@code pinkcnn bench}: times backend kernels on MobileNetV2's shapes; GFLOP/s, GB/s and the fraction of peak. The
 * options and the output are here; the cases and the runners are the benchmarks module's ({@code pinkcnn.benchmarks}).
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Time backend kernels (median of repeated runs) on MobileNetV2's shapes.")
public final class BenchCommand implements Callable<Integer> {

    @Mixin
    DeviceOption device;

    @Option(names = "--op", split = ",", paramLabel = "OP",
            description = "Kernels to time: gemm, conv1x1, depthwise, conv3x3, pool (default: all).")
    List<String> ops;

    @Option(names = "--model", paramLabel = "MODEL",
            description = "Time a whole network's forward pass instead of kernels: mobilenetv2.")
    String model;

    @Option(names = "--batch", defaultValue = "1", paramLabel = "N", description = "Batch size of --model and of the layer cases (1×1, depthwise, stem; default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--variant",
            description = "OpenCL: also run every numbered version of the GEMM and depthwise kernels side by side.")
    boolean variant;

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
        // 1024 images of MobileNetV2's largest activation are 4.6 GiB already; 100,000 overflowed an array size.
        if (batch < 1 || batch > 1024) throw new UserError("--batch must be 1 … 1024, not " + batch);
        if (model != null) return benchModel();
        List<String> chosen = ops == null || ops.isEmpty() ? KernelCases.OPS : ops;
        for (String op : chosen) {
            if (!KernelCases.OPS.contains(op)) throw new UserError("unknown --op '" + op + "'; choose from " + KernelCases.OPS);
        }
        List<BenchResult> results = new ArrayList<>();
        List<LabBench.CopyRatio> ratios = List.of();
        try (Backend backend = device.open()) {
            if (variant && !LabBench.comparesVersions(backend)) {
                throw new UserError("--variant compares OpenCL kernel versions: use --device opencl");
            }
            BenchRunner runner = new BenchRunner(LabBench.timer(backend), minSeconds);
            KernelCases cases = new KernelCases(backend, batch);
            if (!json) System.out.printf("%-20s %-22s %10s %9s %8s %7s   (%s, %d threads)%n",
                    "op", "shape", "median ms", "GFLOP/s", "GB/s", "%peak", backend.name(), device.threads());
            for (String op : chosen) {
                for (BenchCase c : cases.cases(op)) {
                    BenchResult r = BenchResult.of(c, backend.name(), device.threads(), runner.medianMillis(c.kernel()), peakGflops);
                    results.add(r);
                    if (!json) print(r);
                }
            }
            for (LabBench.Timed t : LabBench.cases(backend, cases, chosen, variant)) {
                BenchResult r = BenchResult.of(t.benchCase(), backend.name(), device.threads(),
                        new BenchRunner(t.timer(), minSeconds).medianMillis(t.benchCase().kernel()), peakGflops);
                results.add(r);
                if (!json) print(r);
            }
            if (chosen.contains("depthwise")) {
                ratios = LabBench.depthwiseCopyRatios(backend, cases, minSeconds);
                if (!json && !ratios.isEmpty()) {
                    System.out.println("depthwise against the copy kernel, timed alternately (median GB/s; median ratio of neighbouring runs):");
                }
                for (LabBench.CopyRatio r : ratios) {
                    if (!json) System.out.printf("  %-22s %6.1f / %6.1f GB/s   %3.0f %%%n", r.shape(), r.depthwiseGbps(),
                            r.copyGbps(), 100 * r.fraction());
                }
            }
        }
        if (json) {
            Map<String, Object> all = new java.util.LinkedHashMap<>();
            all.put("results", results);
            if (!ratios.isEmpty()) all.put("depthwise_vs_copy", ratios);
            System.out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(all));
        }
        return 0;
    }

    private Integer benchModel() throws Exception {
        if (!model.equalsIgnoreCase("mobilenetv2")) throw new UserError("unknown --model '" + model + "': use mobilenetv2");
        try (Backend backend = device.open()) {
            ModelBench.Result r = ModelBench.run(backend, batch, Math.max(minSeconds, 2.0));
            if (json) {
                Map<String, Object> row = new java.util.LinkedHashMap<>();
                row.put("op", "mobilenetv2");
                row.put("device", backend.name());
                row.put("batch", batch);
                row.put("threads", device.threads());
                row.put("images_per_s", r.imagesPerSecond());
                row.put("ms_per_image", r.msPerImage());
                row.put("time_shares", r.shares());
                System.out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                        .writeValueAsString(Map.of("results", List.of(row))));
            } else {
                System.out.printf("mobilenetv2 224x224 batch %d on %s (%d threads): %.1f images/s, %.2f ms/image%n",
                        batch, backend.name(), device.threads(), r.imagesPerSecond(), r.msPerImage());
                r.shares().forEach((k, v) -> System.out.printf("  %-11s %5.1f%%%n", k, 100 * v));
                if (!r.shares().containsKey("batch norm")) {
                    System.out.println("  (each batch norm and the ReLU6 after it run inside the convolution before them)");
                }
            }
        }
        return 0;
    }

    private static void print(BenchResult r) {
        System.out.printf("%-20s %-22s %10.3f %9s %8.1f %7s%n", r.op(), r.shape(), r.medianMs(),
                r.gflops() > 0 ? String.format("%.1f", r.gflops()) : "-", r.gbps(),
                r.gflops() > 0 ? String.format("%.1f%%", 100 * r.peakFraction()) : "-");
    }
}
