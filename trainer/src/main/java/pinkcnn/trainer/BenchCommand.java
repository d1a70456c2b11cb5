package pinkcnn.trainer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
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
import pinkcnn.benchmarks.PeakBench;
import pinkcnn.benchmarks.Peaks;
import pinkcnn.benchmarks.Tuner;
import pinkcnn.engine.backend.Backend;
import pinkcnn.engine.models.SsdMobileNetV1;
import pinkcnn.engine.nn.Graph;
import pinkcnn.kernels.OpenClBackend;
import pinkcnn.trainer.export.OnnxRuntimeBench;
import pinkcnn.trainer.export.OnnxRuntimeProfile;
import pinkcnn.trainer.report.RooflinePlot;
import pinkcnn.trainer.train.Backbones;
import pinkcnn.trainer.train.RunConfig;
import pinkcnn.trainer.train.TrainBench;

/**
 * {@code pinkcnn bench}: times backend kernels on MobileNetV2's shapes (GFLOP/s, GB/s, arithmetic intensity and the
 * fraction of the measured peak), the machine's own roofs ({@code --op peak}), the whole model ({@code --model}),
 * pinkcnn beside ONNX Runtime ({@code --against onnxruntime}) and a roofline picture ({@code --roofline}). The options
 * and the output are here; the cases and the runners are the benchmarks module's ({@code pinkcnn.benchmarks}).
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Time backend kernels (median of repeated runs) on MobileNetV2's shapes, the machine's peak, or "
                + "the whole model, alone or beside ONNX Runtime.",
                "  pinkcnn bench --device cpu --op gemm,depthwise --threads 1",
                "  pinkcnn bench --op peak --device opencl",
                "  pinkcnn bench --model mobilenetv2 --against onnxruntime --batch 32",
                "  pinkcnn bench --device cpu --roofline roofline.png"})
public final class BenchCommand implements Callable<Integer> {
    /** What {@code --op} takes beside the kernel cases: the measured fp32 peak and copy bandwidth. */
    static final String PEAK = "peak";
    static final String ONNXRUNTIME = "onnxruntime";

    @Mixin
    DeviceOption device;

    @Option(names = "--op", split = ",", paramLabel = "OP",
            description = "Kernels to time: gemm, conv1x1, depthwise, conv3x3, pool, channel, block (MobileNetV2's 17 "
                    + "inverted-residual blocks, one call each); default: all. peak measures the fp32 peak and the copy "
                    + "bandwidth.")
    List<String> ops;

    @Option(names = "--model", paramLabel = "MODEL",
            description = "Time a whole network's forward pass instead of kernels: mobilenetv2, or ssd-mobilenetv1 (the "
                    + "face detector, at its 512×512 input).")
    String model;

    @Option(names = "--batch", paramLabel = "N", description = "Batch size of --model and of the layer cases (1×1, depthwise, "
            + "stem; default: 1, and train's batch, 32, with --train).")
    Integer batchOption;

    /** --batch, or its default. */
    private int batch;

    @Option(names = "--train",
            description = "With --model: time train's step instead of the forward pass (forward, backward and Adam step of "
                    + "the fine-tuned layers and the head, from --fine-tune-from to --cut-layer; train's defaults).")
    boolean train;

    @Option(names = "--fine-tune-from", paramLabel = "LAYER",
            description = "With --train: the first trained backbone layer (default: train's, ${DEFAULT-VALUE}).",
            defaultValue = RunConfig.DEFAULT_FINE_TUNE_FROM)
    String fineTuneFrom;

    @Option(names = "--cut-layer", paramLabel = "LAYER",
            description = "With --train: the last backbone layer, where the head starts (default: train's, ${DEFAULT-VALUE}).",
            defaultValue = RunConfig.DEFAULT_CUT)
    String cutLayer;

    @Option(names = "--input-size", defaultValue = "224", paramLabel = "S",
            description = "--model's input size S (S×S×3; default: ${DEFAULT-VALUE}).")
    int inputSize;

    @Option(names = "--weights", paramLabel = "FILE.h5",
            description = "--model's weights (Keras layout; default: random, which the speed does not depend on).")
    Path weights;

    @Option(names = "--against", paramLabel = "RUNTIME",
            description = "With --model: run the same weights in another runtime in this process, check that the outputs "
                    + "agree, and time both alternately: onnxruntime.")
    String against;

    @Option(names = "--per-block",
            description = "With --against: also profile both runtimes over the same passes and print each MobileNetV2 "
                    + "block's time in each (ONNX Runtime's own profiler for its operators).")
    boolean perBlock;

    @Option(names = "--roofline", paramLabel = "FILE.png",
            description = "Draw every timed kernel (and --model's layers) on a roofline under the measured peak and bandwidth.")
    Path roofline;

    @Option(names = "--variant",
            description = "Also run every numbered kernel version side by side: on OpenCL GEMM (gemm, conv1x1, conv3x3) "
                    + "and depthwise; on the CPU the convolutions' product (conv1x1, conv3x3), depthwise and block.")
    boolean variant;

    @Option(names = "--tune",
            description = "OpenCL: search the kernels' tile parameters on this device (--op gemm|depthwise|conv1x1|conv3x3; "
                    + "default: all), check each against the reference kernel, and keep the fastest in the cache for "
                    + "later runs on this device.")
    boolean tune;

    @Option(names = "--json", description = "Print one JSON object {\"results\":[…]} instead of a table.")
    boolean json;

    @Option(names = "--peak-gflops", paramLabel = "G",
            description = "The fp32 peak for the %% column instead of the measured one (bench --op peak).")
    Double peakGflops;

    @Option(names = "--min-time", paramLabel = "S",
            description = "Seconds of timed runs per case, at least 5 runs (default: 0.5; 2 per runtime with --model).")
    Double minSeconds;

    private final Map<String, Object> jsonOut = new LinkedHashMap<>();
    /** The measured roofs the tables and the roofline use (null until needed). */
    private PeakBench.Peak roofs;
    private final List<Object> results = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        batch = batchOption != null ? batchOption : train ? new RunConfig().batch : 1;
        if (train && model == null) throw new UserError("--train times a model's training step: add --model mobilenetv2");
        if (train && (against != null || roofline != null || tune)) {
            throw new UserError("--train goes with --model alone: leave out --against, --roofline and --tune");
        }
        // 1024 images of MobileNetV2's largest activation are 4.6 GiB already; 100,000 overflowed an array size.
        if (batch < 1 || batch > 1024) throw new UserError("--batch must be 1 … 1024, not " + batch);
        if (inputSize < 32) throw new UserError("--input-size must be at least 32 (MobileNetV2 halves it 5 times)");
        if (minSeconds != null && !(minSeconds >= 0)) throw new UserError("--min-time must be 0 or more seconds");
        if (against != null && !against.equalsIgnoreCase(ONNXRUNTIME)) {
            throw new UserError("unknown --against '" + against + "': use " + ONNXRUNTIME);
        }
        if (model != null && !model.equalsIgnoreCase("mobilenetv2") && !detector()) {
            throw new UserError("unknown --model '" + model + "': use mobilenetv2 or " + DETECTOR);
        }
        if (detector() && (against != null || weights != null)) {
            throw new UserError("--model " + DETECTOR + " runs on random weights alone: leave out --against and --weights");
        }
        if (detector()) inputSize = SsdMobileNetV1.INPUT_SIZE;
        if (against != null && model == null) throw new UserError("--against compares a whole model: add --model mobilenetv2");
        if (against != null && roofline != null) throw new UserError("--roofline draws kernels and layers: leave out --against");
        if (perBlock && against == null) throw new UserError("--per-block compares two runtimes: add --against onnxruntime");
        if (weights != null && model == null) throw new UserError("--weights goes with --model");
        if (weights != null && !Files.isRegularFile(weights)) throw new UserError(weights + ": no such file");
        if (roofline != null) checkWritable(roofline);
        List<String> chosen = ops == null || ops.isEmpty() ? KernelCases.OPS : ops;
        for (String op : chosen) {
            if (!KernelCases.OPS.contains(op) && !op.equals(PEAK)) {
                throw new UserError("unknown --op '" + op + "'; choose from " + KernelCases.OPS + " or " + PEAK);
            }
        }
        if (tune && (model != null || roofline != null || variant)) {
            throw new UserError("--tune searches kernel parameters: leave out --model, --roofline and --variant");
        }
        try (Backend backend = device.open()) {
            int threads = threads(backend);
            if (tune) return tune(backend, threads);
            if (against != null) return sideBySide(backend, threads);
            if (variant && !LabBench.comparesVersions(backend)) {
                throw new UserError("--variant compares numbered kernel versions; " + backend.name() + " has none");
            }
            if (train) return benchTraining(backend, threads);
            ModelBench.Result modelResult = null;
            if (model != null) {
                modelResult = benchModel(backend, threads);
                if (roofline == null) {
                    printJson();
                    return 0;
                }
            }
            Peaks peaks = new Peaks(peakFile());
            boolean fresh = chosen.contains(PEAK);
            roofs = fresh ? measurePeaks(backend, threads, peaks) : null;
            List<String> kernelOps = chosen.stream().filter(op -> !op.equals(PEAK)).toList();
            List<BenchResult> rows = List.of();
            if (!kernelOps.isEmpty()) {
                if (roofs == null && (peakGflops == null || roofline != null)) roofs = peaks.get(backend, threads);
                rows = kernels(backend, threads, kernelOps);
                if (!fresh) recheck(backend, threads, peaks, rows);
            }
            if (roofline != null) {
                if (roofs == null) roofs = peaks.get(backend, threads);
                drawRoofline(backend, threads, rows, modelResult);
            }
        }
        printJson();
        return 0;
    }

    // ---- kernels ------------------------------------------------------------------------------------------------------

    private List<BenchResult> kernels(Backend backend, int threads, List<String> chosen) {
        PeakBench.Peak measured = roofs;
        double peak = peakGflops != null ? peakGflops : measured.gflops();
        String peakSource = peakGflops != null
                ? String.format(Locale.ROOT, "%%peak of %.0f GFLOP/s given by --peak-gflops", peakGflops)
                : String.format(Locale.ROOT, "%%peak of %.1f GFLOP/s measured on this device with %d %s, %s (bench --op peak)",
                        measured.gflops(), threads, threads == 1 ? "thread" : "threads", measured.measured());
        double min = minTime(0.5);
        List<BenchResult> rows = new ArrayList<>();
        BenchRunner runner = new BenchRunner(LabBench.timer(backend), min);
        KernelCases cases = new KernelCases(backend, batch);
        if (!json) {
            System.out.printf("%-20s %-26s %10s %9s %8s %7s %7s   (%s, %d threads)%n",
                    "op", "shape", "median ms", "GFLOP/s", "GB/s", "flop/B", "%peak", backend.name(), threads);
            System.out.println("  " + peakSource);
        }
        if (backend instanceof OpenClBackend cl) {
            Map<String, Object> tuning = new LinkedHashMap<>();
            for (String f : cl.tunableFamilies()) tuning.put(f, cl.tuning(f));
            tuning.put("source", cl.tuningSource());
            jsonOut.put("kernel_parameters", tuning);
            if (!json) {
                StringBuilder sb = new StringBuilder("  kernel parameters:");
                for (String f : cl.tunableFamilies()) sb.append(' ').append(f).append(' ').append(Tuner.text(cl.tuning(f))).append(';');
                System.out.println(sb + " " + cl.tuningSource());
            }
        }
        for (String op : chosen) {
            for (BenchCase c : cases.cases(op)) {
                rows.add(row(BenchResult.of(c, backend.name(), threads, runner.medianMillis(c.kernel()), peak)));
            }
        }
        for (LabBench.Timed t : LabBench.cases(backend, cases, chosen, variant)) {
            rows.add(row(BenchResult.of(t.benchCase(), backend.name(), threads,
                    new BenchRunner(t.timer(), min).medianMillis(t.benchCase().kernel()), peak)));
        }
        if (chosen.contains("depthwise")) {
            List<LabBench.CopyRatio> ratios = LabBench.depthwiseCopyRatios(backend, cases, min);
            if (!json && !ratios.isEmpty()) {
                System.out.println("depthwise against the copy kernel, timed alternately (median GB/s; median ratio of neighbouring runs):");
            }
            for (LabBench.CopyRatio r : ratios) {
                if (!json) System.out.printf("  %-22s %6.1f / %6.1f GB/s   %3.0f %%%n", r.shape(), r.depthwiseGbps(),
                        r.copyGbps(), 100 * r.fraction());
            }
            if (!ratios.isEmpty()) jsonOut.put("depthwise_vs_copy", ratios);
        }
        Map<String, Object> used = new LinkedHashMap<>();
        used.put("gflops", peak);
        used.put("source", peakGflops != null ? "--peak-gflops" : "measured");
        if (peakGflops == null) {
            used.put("threads", threads);
            used.put("measured", measured.measured());
        }
        jsonOut.put("peak_used", used);
        return rows;
    }

    /**
     * A kernel faster than a stored peak means the peak was measured while something else ran: it is measured again
     * (and stored) for the roofline and later tables.
     */
    private void recheck(Backend backend, int threads, Peaks peaks, List<BenchResult> rows) {
        if (peakGflops != null || roofs == null) return;
        BenchResult fastest = rows.stream().max(java.util.Comparator.comparingDouble(BenchResult::gflops)).orElse(null);
        if (fastest == null || fastest.gflops() <= roofs.gflops()) return;
        PeakBench.Peak old = roofs;
        roofs = peaks.measure(backend, threads);
        jsonOut.put("peak_remeasured", roofs);
        if (!json) {
            System.out.printf(Locale.ROOT, "  %s ran at %.1f GFLOP/s, above the stored peak of %.1f (measured %s, "
                    + "probably under load): measured again, %.1f GFLOP/s and %.1f GB/s, kept for later runs%n",
                    fastest.op(), fastest.gflops(), old.gflops(), old.measured(), roofs.gflops(), roofs.copyGbps());
        }
    }

    private BenchResult row(BenchResult r) {
        results.add(r);
        if (!json) {
            System.out.printf("%-20s %-26s %10.3f %9s %8.1f %7s %7s%n", r.op(), r.shape(), r.medianMs(),
                    r.gflops() > 0 ? String.format("%.1f", r.gflops()) : "-", r.gbps(),
                    r.intensity() > 0 ? String.format(r.intensity() < 10 ? "%.2f" : "%.1f", r.intensity()) : "-",
                    r.gflops() > 0 ? String.format("%.1f%%", 100 * r.peakFraction()) : "-");
        }
        return r;
    }

    // ---- tuning -------------------------------------------------------------------------------------------------------

    /** {@code --tune}: searches each chosen family's parameters, prints the best and stores them for this device. */
    private Integer tune(Backend backend, int threads) throws IOException {
        if (!(backend instanceof OpenClBackend cl)) {
            throw new UserError("--tune searches the OpenCL kernels' parameters: use --device opencl");
        }
        List<String> families;
        try {
            families = Tuner.families(cl, ops);
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage());
        }
        java.io.PrintStream progress = json ? System.err : System.out;
        progress.printf("tuning %s on %s (%d threads), batch %d; started from: %s%n", String.join(", ", families),
                backend.name(), threads, batch, cl.tuningSource());
        Tuner tuner = new Tuner(backend, minTime(0.05), progress::println);
        KernelCases cases = new KernelCases(backend, batch);
        Map<String, Double> speedups = new LinkedHashMap<>();
        List<Tuner.Result> all = new ArrayList<>();
        for (String f : families) {
            long t0 = System.nanoTime();
            Tuner.Result r = tuner.tune(f, cases);
            all.add(r);
            speedups.put(f, r.speedup());
            progress.printf(Locale.ROOT, "  (%s: %d candidates, %d skipped, %.0f s)%n", f, r.tried(), r.skipped(),
                    (System.nanoTime() - t0) / 1e9);
        }
        // families not searched now are stored as the backend started with them (tuned before, or the defaults)
        Path file = cl.saveTuning(speedups);
        if (!json) {
            for (Tuner.Result r : all) {
                System.out.printf(Locale.ROOT, "best %-9s %-26s %.2fx as fast as the defaults (%s)%s%n", r.family() + ":",
                        Tuner.text(r.best()), r.speedup(), Tuner.text(r.defaults()),
                        r.cases().isEmpty() ? "" : ", geometric mean of " + r.cases().size() + " cases");
                for (Tuner.CaseSpeedup c : r.cases()) System.out.printf(Locale.ROOT, "  %-34s %.2fx%n", c.shape(), c.speedup());
            }
            System.out.println("stored in " + file + "; later runs on this device start with these parameters");
        }
        jsonOut.put("tuning", all);
        jsonOut.put("tuning_file", file.toString());
        printJson();
        return 0;
    }

    // ---- the machine's roofs ------------------------------------------------------------------------------------------

    /**
     * Measures the fp32 peak and the copy bandwidth now, and keeps them for later tables: on the CPU backend at every
     * thread count up to {@code threads}, on OpenCL at the device's own. Returns the figure at {@code threads}.
     */
    private PeakBench.Peak measurePeaks(Backend backend, int threads, Peaks peaks) {
        boolean cpu = !(backend instanceof OpenClBackend);
        List<PeakBench.Peak> all = new ArrayList<>();
        for (int t = cpu ? 1 : threads; t <= threads; t++) all.add(peaks.measure(backend, t));
        if (!json) {
            System.out.printf("fp32 peak (independent FMA chains, as clpeak) and copy bandwidth (%d MB arrays) of %s, best of 10 runs:%n",
                    PeakBench.COPY_FLOATS * 4L >> 20, backend.name());
            System.out.printf("  %7s %9s %10s %14s%n", "threads", "GFLOP/s", "copy GB/s", "ridge flop/B");
            for (PeakBench.Peak p : all) {
                System.out.printf(Locale.ROOT, "  %7d %9.1f %10.1f %14.1f%n", p.threads(), p.gflops(), p.copyGbps(), p.ridge());
            }
        }
        jsonOut.put("peaks", all);
        return all.get(all.size() - 1);
    }

    /** Where measured peaks persist between runs: the cache folder, keyed by device and thread count. */
    private static Path peakFile() {
        return Cache.dir().resolve("peaks.json");
    }

    // ---- the whole model ----------------------------------------------------------------------------------------------

    /** MobileNetV2 with --weights, else with random weights and batch-norm statistics fitted to random images. */
    /** The face detector's name for --model. */
    private static final String DETECTOR = "ssd-mobilenetv1";

    private boolean detector() {
        return model != null && model.equalsIgnoreCase(DETECTOR);
    }

    private Graph graph(Backend backend) {
        if (detector()) return SsdMobileNetV1.build(backend, inputSize, 1);
        if (weights != null) return Backbones.pretrained(backend, 1.0, inputSize, weights);
        Graph g = Backbones.build(backend, 1.0, inputSize);
        ModelBench.calibrateBatchNorm(backend, g, ModelBench.input(1, inputSize, inputSize, 3, 7), 1);
        return g;
    }

    private ModelBench.Result benchModel(Backend backend, int threads) {
        ModelBench.Result r = ModelBench.run(backend, graph(backend), batch, minTime(2.0));
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("op", detector() ? DETECTOR : "mobilenetv2");
        row.put("device", backend.name());
        row.put("batch", batch);
        row.put("input_size", inputSize);
        row.put("threads", threads);
        row.put("images_per_s", r.imagesPerSecond());
        row.put("ms_per_image", r.msPerImage());
        row.put("time_shares", r.shares());
        results.add(row);
        jsonOut.put("layers", r.layers());
        if (!json) {
            System.out.printf("%s %dx%d batch %d on %s (%d threads): %.1f images/s, %.2f ms/image%n",
                    detector() ? DETECTOR : "mobilenetv2", inputSize, inputSize, batch, backend.name(), threads, r.imagesPerSecond(), r.msPerImage());
            r.shares().forEach((k, v) -> System.out.printf("  %-11s %5.1f%%%n", k, 100 * v));
            if (!detector() && !r.shares().containsKey("batch norm")) {
                System.out.println("  (each batch norm and the ReLU6 after it run inside the convolution before them)");
            }
            if (r.shares().containsKey("block")) {
                System.out.println("  (block: an inverted-residual block, expansion, depthwise and projection, run as one call)");
            }
            if (roofline != null) {
                System.out.printf("%-26s %-10s %-26s %8s %9s %8s %7s%n", "layer (profiled)", "kind", "shape", "ms",
                        "GFLOP/s", "GB/s", "flop/B");
                for (ModelBench.LayerPoint l : r.layers()) {
                    System.out.printf(Locale.ROOT, "%-26s %-10s %-26s %8.3f %9.1f %8.1f %7.2f%n", l.layer(), l.kind(),
                            l.shape(), l.ms(), l.gflops(), l.gbps(), l.intensity());
                }
            }
        }
        return r;
    }

    /** {@code --model mobilenetv2 --train}: train's step on the fine-tuned part, samples/s, phases and layers. */
    private Integer benchTraining(Backend backend, int threads) throws IOException {
        RunConfig cfg = new RunConfig();
        cfg.batch = batch;
        cfg.inputSize = inputSize;
        cfg.fineTuneFrom = fineTuneFrom;
        cfg.cutLayer = cutLayer;
        try {
            Backbones.checkLayers(cfg.alpha, cfg.cutLayer, cfg.fineTuneFrom);
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage());
        }
        Graph g = graph(backend);
        if (g.position(cfg.fineTuneFrom) > g.position(cfg.cutLayer)) {
            throw new UserError("--fine-tune-from " + cfg.fineTuneFrom + " comes after the cut " + cfg.cutLayer);
        }
        TrainBench.Result r = TrainBench.run(backend, g, cfg, TRAIN_CLASSES, minTime(2.0));
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("op", "mobilenetv2-train");
        row.put("device", backend.name());
        row.put("batch", batch);
        row.put("input_size", inputSize);
        row.put("threads", threads);
        row.put("fine_tune_from", cfg.fineTuneFrom);
        row.put("cut_layer", cfg.cutLayer);
        row.put("trained_parameters", r.parameters());
        row.put("samples_per_s", r.samplesPerSecond());
        row.put("ms_per_step", r.msPerStep());
        row.put("phase_ms", r.phaseMs());
        results.add(row);
        jsonOut.put("layers", r.layers());
        if (!json) {
            System.out.printf(Locale.ROOT, "mobilenetv2 %dx%d training step, %s ... %s + head (%,d trained parameters), batch %d "
                    + "on %s (%d %s): %.1f samples/s, %.1f ms/step%n", inputSize, inputSize, cfg.fineTuneFrom, cfg.cutLayer,
                    r.parameters(), batch, backend.name(), threads, threads == 1 ? "thread" : "threads",
                    r.samplesPerSecond(), r.msPerStep());
            double total = r.phaseMs().values().stream().mapToDouble(Double::doubleValue).sum();
            System.out.println("  profiled steps (the backend waits after each layer and phase):");
            r.phaseMs().forEach((k, v) -> System.out.printf(Locale.ROOT, "  %-24s %8.2f ms %5.1f%%%n", k, v, 100 * v / total));
            System.out.printf("%-26s %-10s %-26s %8s %9s%n", "layer (forward)", "kind", "shape", "ms", "GFLOP/s");
            for (ModelBench.LayerPoint l : r.layers()) {
                System.out.printf(Locale.ROOT, "%-26s %-10s %-26s %8.3f %9.1f%n", l.layer(), l.kind(), l.shape(), l.ms(), l.gflops());
            }
        }
        printJson();
        return 0;
    }

    /** Classes of the benchmarked head: the four of the project's face classifier (the step hardly depends on it). */
    private static final int TRAIN_CLASSES = 4;

    private Integer sideBySide(Backend backend, int threads) throws Exception {
        OnnxRuntimeBench.Result r;
        try {
            r = OnnxRuntimeBench.run(backend, graph(backend), batch, threads, minTime(2.0));
        } catch (OnnxRuntimeBench.Disagreement e) {
            throw new UserError(e.getMessage(), 1);
        }
        results.addAll(r.rows());
        Map<String, Object> ratio = new LinkedHashMap<>();
        ratio.put("pinkcnn_over_onnxruntime", r.ratio());
        ratio.put("low", r.ratioLow());
        ratio.put("high", r.ratioHigh());
        ratio.put("pairs", r.pairs());
        jsonOut.put("ratio", ratio);
        jsonOut.put("max_error", r.maxError());
        jsonOut.put("max_abs_output", r.maxOutput());
        if (!json) {
            System.out.printf(Locale.ROOT, "mobilenetv2 %dx%d batch %d, %d %s; outputs agree (max |pinkcnn - onnxruntime| "
                    + "/ max(1, |onnxruntime|) = %.1e; max |output| %.2f)%n", inputSize, inputSize, batch, threads,
                    threads == 1 ? "thread" : "threads", r.maxError(), r.maxOutput());
            System.out.printf("%-12s %-58s %9s %9s%n", "runtime", "device", "images/s", "ms/image");
            for (OnnxRuntimeBench.Row row : r.rows()) {
                System.out.printf(Locale.ROOT, "%-12s %-58s %9.1f %9.2f%n", row.runtime(), row.device(),
                        row.imagesPerSecond(), row.msPerImage());
            }
            System.out.printf(Locale.ROOT, "pinkcnn / onnxruntime: %.2f (%.2f-%.2f over %d alternating pairs)%n",
                    r.ratio(), r.ratioLow(), r.ratioHigh(), r.pairs());
        }
        if (perBlock) printPerBlock(backend, threads);
        printJson();
        return 0;
    }

    /** {@code --per-block}: each block's time per pass in each runtime, profiled over the same alternating passes. */
    private void printPerBlock(Backend backend, int threads) throws Exception {
        int passes = batch == 1 ? 200 : 10;
        List<OnnxRuntimeProfile.Block> blocks = OnnxRuntimeProfile.perBlock(backend, graph(backend), batch, threads,
                passes / 4, passes);
        jsonOut.put("blocks", blocks);
        if (json) return;
        System.out.printf("per block, mean of %d profiled passes each (ms per pass; each runtime's own profiler):%n", passes);
        System.out.printf("%-10s %10s %13s %7s%n", "block", "pinkcnn", "onnxruntime", "ratio");
        double p = 0, o = 0;
        for (OnnxRuntimeProfile.Block b : blocks) {
            p += b.pinkcnnMs();
            o += b.onnxruntimeMs();
            System.out.printf(Locale.ROOT, "%-10s %10.3f %13.3f %7s%n", b.block(), b.pinkcnnMs(), b.onnxruntimeMs(),
                    b.onnxruntimeMs() > 0 ? String.format(Locale.ROOT, "%.2f", b.pinkcnnMs() / b.onnxruntimeMs()) : "-");
        }
        System.out.printf(Locale.ROOT, "%-10s %10.3f %13.3f %7.2f%n", "sum", p, o, p / o);
    }

    // ---- roofline -----------------------------------------------------------------------------------------------------

    private void drawRoofline(Backend backend, int threads, List<BenchResult> rows, ModelBench.Result modelResult) {
        PeakBench.Peak measured = roofs;
        double peak = peakGflops != null ? peakGflops : measured.gflops();
        List<RooflinePlot.Point> points = new ArrayList<>();
        for (BenchResult r : rows) {
            points.add(new RooflinePlot.Point(r.op() + " " + r.shape(), r.op(), r.intensity(), r.gflops(), true));
        }
        if (modelResult != null) {
            for (ModelBench.LayerPoint l : modelResult.layers()) {
                points.add(new RooflinePlot.Point(l.layer(), "MobileNetV2 " + l.kind() + " (batch " + batch + ")",
                        l.intensity(), l.gflops(), false));
            }
        }
        String title = String.format(Locale.ROOT, "Roofline: %s, %d %s", backend.name(), threads, threads == 1 ? "thread" : "threads");
        try {
            RooflinePlot.write(roofline, title, peak, measured.copyGbps(), points);
        } catch (IOException e) {
            throw new UserError("cannot write " + roofline + ": " + e.getMessage());
        }
        long drawn = points.stream().filter(p -> p.intensity() > 0 && p.gflops() > 0).count();
        jsonOut.put("roofline", Map.of("file", roofline.toString(), "points", drawn, "peak_gflops", peak,
                "bandwidth_gbps", measured.copyGbps(), "ridge_flops_per_byte", peak / measured.copyGbps()));
        if (!json) {
            System.out.printf(Locale.ROOT, "wrote %s: %d points under %.1f GFLOP/s and %.1f GB/s (ridge at %.1f flop/B)%n",
                    roofline, drawn, peak, measured.copyGbps(), peak / measured.copyGbps());
        }
    }

    /** Fails before any timing when the picture could not be written where asked. */
    private static void checkWritable(Path out) {
        if (!out.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".png")) {
            throw new UserError("--roofline " + out + ": the picture is a PNG; name it FILE.png");
        }
        if (Files.isDirectory(out)) throw new UserError("--roofline " + out + ": is a folder; name the file to write");
        Path dir = out.toAbsolutePath().getParent();
        if (dir == null || !Files.isDirectory(dir)) throw new UserError("cannot write " + out + ": the folder " + dir + " does not exist");
        if (!Files.isWritable(dir)) throw new UserError("cannot write " + out + ": the folder " + dir + " is not writable");
    }

    // ---- common -------------------------------------------------------------------------------------------------------

    /**
     * The thread count the timed code really runs on. The CPU backend's is {@code --threads}. An OpenCL CPU device
     * (PoCL) runs as many threads as it has compute units, fixed when the runtime starts (PoCL reads
     * POCL_MAX_PTHREAD_COUNT once): a different {@code --threads} cannot be honoured, so it is refused.
     */
    private int threads(Backend backend) {
        if (backend instanceof OpenClBackend cl && !cl.device().isGpu()) {
            int units = cl.device().computeUnits();
            if (device.threads > 0 && device.threads != units) {
                throw new UserError("--threads " + device.threads + " cannot change the OpenCL device's " + units
                        + " threads: PoCL reads POCL_MAX_PTHREAD_COUNT once, at start-up; run POCL_MAX_PTHREAD_COUNT="
                        + device.threads + " ./pinkcnn bench ... without --threads");
            }
            return units;
        }
        return device.threads();
    }

    private double minTime(double dflt) {
        return minSeconds != null ? minSeconds : dflt;
    }

    private void printJson() throws IOException {
        if (!json) return;
        Map<String, Object> all = new LinkedHashMap<>();
        all.put("results", results);
        all.putAll(jsonOut);
        System.out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(all));
    }
}
