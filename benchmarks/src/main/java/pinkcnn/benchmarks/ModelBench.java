package pinkcnn.benchmarks;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import pinkcnn.engine.Autograd;
import pinkcnn.engine.Tensor;
import pinkcnn.engine.TensorScope;
import pinkcnn.engine.backend.Backend;
import pinkcnn.engine.models.MobileNetV2;
import pinkcnn.engine.models.SsdMobileNetV1;
import pinkcnn.engine.nn.Add;
import pinkcnn.engine.nn.BatchNorm;
import pinkcnn.engine.nn.Conv2d;
import pinkcnn.engine.nn.ConvLayer;
import pinkcnn.engine.nn.DepthwiseConv2d;
import pinkcnn.engine.nn.Graph;
import pinkcnn.engine.nn.Layer;
import pinkcnn.engine.nn.ReLU;
import pinkcnn.engine.nn.ZeroPadding2d;

/**
 * Throughput of the MobileNetV2 forward pass (alpha 1.0, 224×224 unless told, random weights: speed does not depend
 * on them) at a batch size, and where the time goes: by layer type, and layer by layer with each layer's flops and
 * bytes (its point on a roofline), from profiled passes.
 */
public final class ModelBench {
    /**
     * The measured figures: images per second, milliseconds per image, the share of time per layer type, and every
     * timed step of the pass.
     */
    public record Result(int batch, double imagesPerSecond, double msPerImage, Map<String, Double> shares,
                         List<LayerPoint> layers) {}

    /**
     * One step of the pass: a layer, or a convolution with the batch norm and ReLU6 run inside it (Graph fuses them
     * without gradients; the step is named after the convolution). {@code flops} and {@code bytes} follow from the
     * shapes: multiply-adds count 2, each input, output and weight is moved once; {@code ms} is the median over the
     * profiled passes, the backend synchronised around each step.
     */
    public record LayerPoint(@JsonProperty("layer") String layer, @JsonProperty("kind") String kind,
                             @JsonProperty("shape") String shape, @JsonProperty("flops") double flops,
                             @JsonProperty("bytes") double bytes, @JsonProperty("ms") double ms) {
        @JsonProperty("intensity")
        public double intensity() {
            return bytes > 0 ? flops / bytes : 0;
        }

        @JsonProperty("gflops")
        public double gflops() {
            return flops / (ms * 1e6);
        }

        @JsonProperty("gbps")
        public double gbps() {
            return bytes / (ms * 1e6);
        }
    }

    /** Profiled passes per layer time: the median of three damps one slow step without costing much. */
    private static final int PROFILED_PASSES = 3;

    private ModelBench() {}

    public static Result run(Backend backend, int batch, double minSeconds) {
        return run(backend, 224, batch, minSeconds);
    }

    /** The models {@link #run(Backend, String, int, double)} knows by name. */
    public static final List<String> MODELS = List.of("mobilenetv2", "ssd-mobilenetv1");

    /** The input side of a model of {@link #MODELS}: the face detector's is fixed. */
    public static int inputSize(String model) {
        return model.equals("ssd-mobilenetv1") ? SsdMobileNetV1.INPUT_SIZE : 224;
    }

    /** A model of {@link #MODELS} at its input size, random weights (every box predictor of the detector runs). */
    public static Result run(Backend backend, String model, int batch, double minSeconds) {
        if (!MODELS.contains(model)) throw new IllegalArgumentException("unknown model " + model + ": use " + MODELS);
        Graph g = model.equals("ssd-mobilenetv1") ? SsdMobileNetV1.build(backend, inputSize(model), 1)
                : MobileNetV2.build(backend, 1.0, inputSize(model), false, 0, 1);
        return run(backend, g, batch, minSeconds);
    }

    /** MobileNetV2 at {@code size}×{@code size}, random weights. */
    public static Result run(Backend backend, int size, int batch, double minSeconds) {
        return run(backend, MobileNetV2.build(backend, 1.0, size, false, 0, 1), batch, minSeconds);
    }

    /** Any graph with an image input, up to its last layer, on random inputs in [−1, 1]. */
    public static Result run(Backend backend, Graph g, int batch, double minSeconds) {
        int[] in = g.outputShape(Graph.INPUT);
        float[] x = input(batch, in[1], in[2], in[3], 3);
        String last = g.lastLayer();
        Runnable pass = () -> {
            try (TensorScope scope = TensorScope.open(); Autograd.AutoCloseableNoThrow ng = Autograd.noGrad()) {
                g.forward(Tensor.of(backend, x, batch, in[1], in[2], in[3]), last);
                backend.finish();
            }
        };
        double ms = new BenchRunner(KernelTimer.wallClock(backend), minSeconds).medianMillis(pass);
        Map<String, List<Double>> times = new LinkedHashMap<>();
        Map<String, List<Graph.Node>> steps = new HashMap<>();
        g.setProfiler(new Graph.Profiler() {
            @Override
            public void layer(Layer layer, long nanos) {
                throw new IllegalStateException("steps are reported whole");
            }

            @Override
            public void step(List<Graph.Node> nodes, long nanos) {
                steps.put(nodes.get(0).name(), nodes);
                times.computeIfAbsent(nodes.get(0).name(), k -> new ArrayList<>()).add(nanos / 1e6);
            }
        });
        try {
            for (int i = 0; i < PROFILED_PASSES; i++) pass.run();
        } finally {
            g.setProfiler(null);
        }
        List<LayerPoint> layers = new ArrayList<>();
        Map<String, Double> nanos = new LinkedHashMap<>();
        for (String k : new String[] {"block", "conv 1x1", "depthwise", "batch norm", "other"}) nanos.put(k, 0.0);
        times.forEach((name, t) -> {
            double[] v = t.stream().mapToDouble(Double::doubleValue).toArray();
            double median = BenchRunner.median(v, v.length);
            LayerPoint p = point(g, steps.get(name), batch, median);
            layers.add(p);
            nanos.merge(share(steps.get(name), p), median, Double::sum);
        });
        // without gradients every batch norm runs inside the convolution before it (Graph fuses them), timed as that,
        // and on a backend that fuses them whole blocks run as one step
        nanos.values().removeIf(v -> v == 0);
        double total = nanos.values().stream().mapToDouble(Double::doubleValue).sum();
        nanos.replaceAll((k, v) -> v / total);
        return new Result(batch, batch * 1000.0 / ms, ms / batch, nanos, layers);
    }

    /**
     * Makes a randomly initialised graph behave like a trained one, so that two runtimes can be compared on it: each
     * batch norm's moving mean and variance become those of its input on {@code x} ({@code images} images, NHWC),
     * layer by layer from the input on (as LSUV-style initialisations do); then the batch norms at the end of residual
     * branches scale by {@value #RESIDUAL_GAMMA} (as zero-γ and SkipInit initialisations start residual branches
     * small). Without the statistics, fresh MobileNetV2 shrinks the signal until its output is zero everywhere, and
     * two runtimes "agree" on zeros whatever they compute; without the small branches, every block adds its rounding
     * differences at full strength and they double every ~8 layers, until two correct runtimes differ by more than
     * 1e-4 at the output (measured: 1.6e-4 at 224×224, 4e-6 with the small branches; trained weights: ~3e-5).
     */
    public static void calibrateBatchNorm(Backend backend, Graph g, float[] x, int images) {
        int[] in = g.outputShape(Graph.INPUT);
        java.util.Set<String> residual = new java.util.HashSet<>();
        for (Graph.Node node : g.nodes()) if (node.layer() instanceof Add) residual.addAll(node.inputs());
        for (Graph.Node node : g.nodes()) {
            if (!(node.layer() instanceof BatchNorm bn)) continue;
            float[] a;
            try (TensorScope scope = TensorScope.open(); Autograd.AutoCloseableNoThrow ng = Autograd.noGrad()) {
                a = g.forward(Tensor.of(backend, x, images, in[1], in[2], in[3]), node.inputs().get(0)).toArray();
            }
            int c = g.outputShape(node.name())[3];
            double[] sum = new double[c], squares = new double[c];
            for (int i = 0; i < a.length; i++) {
                sum[i % c] += a[i];
                squares[i % c] += (double) a[i] * a[i];
            }
            long rows = a.length / c;
            float[] mean = new float[c], variance = new float[c];
            for (int k = 0; k < c; k++) {
                mean[k] = (float) (sum[k] / rows);
                variance[k] = (float) Math.max(1e-6, squares[k] / rows - (sum[k] / rows) * (sum[k] / rows));
            }
            for (var p : bn.weights()) {
                if (p.name().equals("moving_mean:0")) p.load(mean);
                if (p.name().equals("moving_variance:0")) p.load(variance);
            }
        }
        // After the statistics, so that the layers after each block still expect its full-strength output: the
        // network as a whole then damps differences instead of amplifying them.
        for (Graph.Node node : g.nodes()) {
            if (node.layer() instanceof BatchNorm bn && residual.contains(node.name())) {
                for (var p : bn.weights()) {
                    if (p.name().equals("gamma:0")) {
                        float[] gamma = new float[p.value().toArray().length];
                        java.util.Arrays.fill(gamma, RESIDUAL_GAMMA);
                        p.load(gamma);
                    }
                }
            }
        }
    }

    /** The scale of a residual branch's last batch norm in {@link #calibrateBatchNorm}. */
    static final float RESIDUAL_GAMMA = 0.3f;

    /** {@code batch} random images of h × w × c in [−1, 1] (NHWC), the same for every run with the same seed. */
    public static float[] input(int batch, int h, int w, int c, long seed) {
        float[] x = new float[batch * h * w * c];
        Random rnd = new Random(seed);
        for (int i = 0; i < x.length; i++) x[i] = rnd.nextFloat() * 2 - 1;
        return x;
    }

    /** Which share of the pass a step's time counts in: its kind, or "other" (MobileNetV2's stem among them). */
    private static String share(List<Graph.Node> step, LayerPoint p) {
        for (Graph.Node n : step) if (n.name().equals("Conv1")) return "other";
        boolean convolution = p.kind().startsWith("conv ");
        return convolution || p.kind().equals("block") || p.kind().equals("depthwise") || p.kind().equals("batch norm")
                ? p.kind() : "other";
    }

    /**
     * A profiled step's point: a single layer's, the convolution's for a convolution run with its batch norm, ReLU
     * or the padding before it, and for an inverted-residual block run as one step (kind {@code block}) the sum of its
     * convolutions' flops over the block's input, output and weights.
     */
    public static LayerPoint point(Graph g, List<Graph.Node> step, int batch, double ms) {
        List<Graph.Node> convolutions = new ArrayList<>();
        for (Graph.Node n : step) if (n.layer() instanceof ConvLayer) convolutions.add(n);
        if (convolutions.size() <= 1) {
            Graph.Node main = convolutions.isEmpty() ? step.get(0) : convolutions.get(0);
            LayerPoint p = point(g, main, batch, ms);
            return main == step.get(0) ? p : new LayerPoint(step.get(0).name(), p.kind(), p.shape(), p.flops(), p.bytes(), ms);
        }
        double flops = 0, weightBytes = 0;
        for (Graph.Node n : convolutions) {
            LayerPoint p = point(g, n, batch, ms);
            flops += p.flops();
            for (var w : n.layer().weights()) weightBytes += 4.0 * w.value().size();
        }
        int[] in = g.outputShape(step.get(0).inputs().get(0)), out = g.outputShape(step.get(step.size() - 1).name());
        double inN = (double) batch * in[1] * in[2] * in[3], outN = (double) batch * out[1] * out[2] * out[3];
        String shape = batch + "x" + in[1] + "x" + in[2] + "x" + in[3] + "->" + out[1] + "x" + out[2] + "x" + out[3];
        return new LayerPoint(step.get(0).name(), "block", shape, flops, 4 * (inN + outN) + weightBytes, ms);
    }

    /** A step's flops and bytes from the shapes of its input and output (batch-1 shapes times the batch). */
    public static LayerPoint point(Graph g, Graph.Node node, int batch, double ms) {
        Layer l = node.layer();
        int[] in = g.outputShape(node.inputs().get(0)), out = g.outputShape(node.name());
        double inN = (double) batch * in[1] * in[2] * in[3], outN = (double) batch * out[1] * out[2] * out[3];
        String shape = batch + "x" + in[1] + "x" + in[2] + "x" + in[3] + "->" + out[3];
        if (l instanceof Conv2d c) {
            int k = c.kernelSize();
            double weights = (double) k * k * in[3] * out[3];
            String kind = k == 1 ? "conv 1x1" : "conv " + k + "x" + k;
            return new LayerPoint(l.name(), kind, shape + (c.stride() > 1 ? " s" + c.stride() : ""),
                    2.0 * outN * k * k * in[3], 4 * (inN + outN + weights), ms);
        }
        if (l instanceof DepthwiseConv2d d) {
            int k = d.kernelSize();
            return new LayerPoint(l.name(), "depthwise", shape + (d.stride() > 1 ? " s" + d.stride() : ""),
                    2.0 * outN * k * k, 4 * (inN + outN + (double) k * k * in[3]), ms);
        }
        if (l instanceof Add) return new LayerPoint(l.name(), "add", shape, outN, 4 * 3 * outN, ms);
        if (l instanceof BatchNorm) return new LayerPoint(l.name(), "batch norm", shape, 2 * outN, 4 * (inN + outN), ms);
        if (l instanceof ReLU) return new LayerPoint(l.name(), "relu", shape, 2 * outN, 4 * (inN + outN), ms);
        if (l instanceof ZeroPadding2d) return new LayerPoint(l.name(), "padding", shape, 0, 4 * (inN + outN), ms);
        return new LayerPoint(l.name(), "other", shape, 0, 4 * (inN + outN), ms);
    }
}
