package pinkcnn.benchmarks;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import pinkcnn.engine.Autograd;
import pinkcnn.engine.Tensor;
import pinkcnn.engine.TensorScope;
import pinkcnn.engine.backend.Backend;
import pinkcnn.engine.models.MobileNetV2;
import pinkcnn.engine.models.SsdMobileNetV1;
import pinkcnn.engine.nn.BatchNorm;
import pinkcnn.engine.nn.Conv2d;
import pinkcnn.engine.nn.DepthwiseConv2d;
import pinkcnn.engine.nn.Graph;
import pinkcnn.engine.nn.Layer;

/**
 * Throughput of the MobileNetV2 forward pass (alpha 1.0, 224×224, random weights: speed does not depend on them)
 * at a batch size, and where the time goes by layer type, from one extra profiled pass; or of the face detector,
 * SSD MobileNetV1 at its 512×512 input (every box predictor's output computed, as a detection needs).
 */
public final class ModelBench {
    /** The measured figures: images per second, milliseconds per image, and the share of time per layer type. */
    public record Result(int batch, double imagesPerSecond, double msPerImage, Map<String, Double> shares) {}

    private ModelBench() {}

    /** The models {@link #run(Backend, String, int, double)} knows. */
    public static final List<String> MODELS = List.of("mobilenetv2", "ssd-mobilenetv1");

    public static Result run(Backend backend, int batch, double minSeconds) {
        return run(backend, "mobilenetv2", batch, minSeconds);
    }

    /** The input side of a model of {@link #MODELS}. */
    public static int inputSize(String model) {
        return model.equals("ssd-mobilenetv1") ? SsdMobileNetV1.INPUT_SIZE : 224;
    }

    public static Result run(Backend backend, String model, int batch, double minSeconds) {
        boolean ssd = model.equals("ssd-mobilenetv1");
        if (!ssd && !model.equals("mobilenetv2")) throw new IllegalArgumentException("unknown model " + model);
        int size = inputSize(model);
        Graph g = ssd ? SsdMobileNetV1.build(backend, size, 1) : MobileNetV2.build(backend, 1.0, 224, false, 0, 1);
        Set<String> outputs = new HashSet<>();
        if (ssd) {
            for (int k = 0; k < SsdMobileNetV1.predictors(); k++) {
                outputs.add(SsdMobileNetV1.boxesLayer(k));
                outputs.add(SsdMobileNetV1.classesLayer(k));
            }
        }
        float[] x = new float[batch * size * size * 3];
        Random rnd = new Random(3);
        for (int i = 0; i < x.length; i++) x[i] = rnd.nextFloat() * 2 - 1;
        Runnable pass = () -> {
            try (TensorScope scope = TensorScope.open(); Autograd.AutoCloseableNoThrow ng = Autograd.noGrad()) {
                Tensor in = Tensor.of(backend, x, batch, size, size, 3);
                if (ssd) g.run(Map.of(Graph.INPUT, in), 0, g.nodes().size() - 1, outputs);
                else g.forward(in, "out_relu");
                backend.finish();
            }
        };
        double ms = new BenchRunner(KernelTimer.wallClock(backend), minSeconds).medianMillis(pass);
        Map<String, Double> nanos = new LinkedHashMap<>();
        for (String k : ssd ? new String[] {"conv 1x1", "conv 3x3", "depthwise", "other"}
                : new String[] {"conv 1x1", "depthwise", "batch norm", "other"}) nanos.put(k, 0.0);
        g.setProfiler((layer, ns) -> nanos.merge(ssd ? ssdType(layer) : type(layer), (double) ns, Double::sum));
        pass.run();
        g.setProfiler(null);
        // without gradients every batch norm runs inside the convolution before it (Graph fuses them), timed as that
        nanos.values().removeIf(v -> v == 0);
        double total = nanos.values().stream().mapToDouble(Double::doubleValue).sum();
        nanos.replaceAll((k, v) -> v / total);
        return new Result(batch, batch * 1000.0 / ms, ms / batch, nanos);
    }

    private static String ssdType(Layer l) {
        if (l instanceof Conv2d c) return c.kernelSize() == 1 ? "conv 1x1" : "conv 3x3";
        if (l instanceof DepthwiseConv2d) return "depthwise";
        return "other";
    }

    private static String type(Layer l) {
        if (l instanceof Conv2d && !l.name().equals("Conv1")) return "conv 1x1";
        if (l instanceof DepthwiseConv2d) return "depthwise";
        if (l instanceof BatchNorm) return "batch norm";
        return "other";
    }
}
