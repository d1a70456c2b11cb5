package pinkcnn.benchmarks;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import pinkcnn.engine.Autograd;
import pinkcnn.engine.Tensor;
import pinkcnn.engine.TensorScope;
import pinkcnn.engine.backend.Backend;
import pinkcnn.engine.models.MobileNetV2;
import pinkcnn.engine.nn.BatchNorm;
import pinkcnn.engine.nn.Conv2d;
import pinkcnn.engine.nn.DepthwiseConv2d;
import pinkcnn.engine.nn.Graph;
import pinkcnn.engine.nn.Layer;

/**
 * Throughput of the MobileNetV2 forward pass (alpha 1.0, 224×224, random weights: speed does not depend on them)
 * at a batch size, and where the time goes by layer type, from one extra profiled pass.
 */
public final class ModelBench {
    /** The measured figures: images per second, milliseconds per image, and the share of time per layer type. */
    public record Result(int batch, double imagesPerSecond, double msPerImage, Map<String, Double> shares) {}

    private ModelBench() {}

    public static Result run(Backend backend, int batch, double minSeconds) {
        Graph g = MobileNetV2.build(backend, 1.0, 224, false, 0, 1);
        float[] x = new float[batch * 224 * 224 * 3];
        Random rnd = new Random(3);
        for (int i = 0; i < x.length; i++) x[i] = rnd.nextFloat() * 2 - 1;
        Runnable pass = () -> {
            try (TensorScope scope = TensorScope.open(); Autograd.AutoCloseableNoThrow ng = Autograd.noGrad()) {
                g.forward(Tensor.of(backend, x, batch, 224, 224, 3), "out_relu");
                backend.finish();
            }
        };
        double ms = new BenchRunner(KernelTimer.wallClock(backend), minSeconds).medianMillis(pass);
        Map<String, Double> nanos = new LinkedHashMap<>();
        for (String k : new String[] {"conv 1x1", "depthwise", "batch norm", "other"}) nanos.put(k, 0.0);
        g.setProfiler((layer, ns) -> nanos.merge(type(layer), (double) ns, Double::sum));
        pass.run();
        g.setProfiler(null);
        // without gradients every batch norm runs inside the convolution before it (Graph fuses them), timed as that
        if (nanos.get("batch norm") == 0) nanos.remove("batch norm");
        double total = nanos.values().stream().mapToDouble(Double::doubleValue).sum();
        nanos.replaceAll((k, v) -> v / total);
        return new Result(batch, batch * 1000.0 / ms, ms / batch, nanos);
    }

    private static String type(Layer l) {
        if (l instanceof Conv2d && !l.name().equals("Conv1")) return "conv 1x1";
        if (l instanceof DepthwiseConv2d) return "depthwise";
        if (l instanceof BatchNorm) return "batch norm";
        return "other";
    }
}
