package pinkcnn.trainer.train;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import pinkcnn.benchmarks.BenchRunner;
import pinkcnn.benchmarks.KernelTimer;
import pinkcnn.benchmarks.ModelBench;
import pinkcnn.engine.Autograd;
import pinkcnn.engine.Tensor;
import pinkcnn.engine.TensorScope;
import pinkcnn.engine.backend.Backend;
import pinkcnn.engine.nn.Graph;
import pinkcnn.engine.ops.Functional;
import pinkcnn.engine.optim.Optimizer;

/**
 * Speed of the training step that {@code pinkcnn train} repeats: forward, loss, backward and optimizer step of the
 * trainable part only (the fine-tuned backbone segment and the head), starting from the activations the frozen part
 * produced, as {@link Trainer} runs it from cached features. The configuration is train's defaults
 * ({@link RunConfig}: fine-tuning from {@code block_12_expand} to {@code block_13_expand_relu}, grid pooling, linear
 * head, Adam) unless changed by the caller. The starting activations are those of random images through the frozen
 * part, so that ReLU6 clamps as it does on photos.
 */
public final class TrainBench {
    /**
     * Samples per second and milliseconds per step (medians), how a profiled step divides into forward (with the loss),
     * backward and optimizer, and the forward time of each step of the fine-tuned backbone segment.
     */
    public record Result(int batch, double samplesPerSecond, double msPerStep, Map<String, Double> phaseMs,
                         List<ModelBench.LayerPoint> layers, long parameters) {}

    private static final int PROFILED_STEPS = 3;

    private TrainBench() {}

    public static Result run(Backend backend, Graph backbone, RunConfig cfg, int classes, double minSeconds) {
        if (cfg.classes.isEmpty()) for (int k = 0; k < classes; k++) cfg.classes.add("class" + k);
        Classifier model = TrainingRun.fineTuned(backend, backbone, cfg);
        int batch = cfg.batch;
        Map<String, float[]> features = frozenActivations(backend, backbone, model.inputs(), batch, cfg.seed);
        Optimizer optimizer = cfg.optimizer.create(cfg.lr);
        int[] labels = new int[batch];
        Random rnd = new Random(cfg.seed);
        for (int i = 0; i < batch; i++) labels[i] = rnd.nextInt(cfg.classes.size());
        float[] targets = Functional.smoothedOneHot(labels, cfg.classes.size(), 0f);
        long[] phases = new long[3];
        boolean[] timePhases = {false};
        Runnable step = () -> {
            try (TensorScope scope = TensorScope.open()) {
                long t0 = System.nanoTime();
                Map<String, Tensor> in = new HashMap<>();
                features.forEach((name, v) -> in.put(name, Tensor.of(backend, v, shape(backbone, name, batch))));
                Tensor logits = model.logits(in);
                Tensor loss = Functional.softmaxCrossEntropy(logits, Tensor.of(backend, targets, batch, cfg.classes.size()));
                loss.item(); // Trainer reads every loss (divergence check), which waits for the forward pass
                long t1 = System.nanoTime();
                loss.backward();
                if (timePhases[0]) backend.finish();
                long t2 = System.nanoTime();
                optimizer.step(model.trainableWeights());
                backend.finish();
                long t3 = System.nanoTime();
                phases[0] += t1 - t0;
                phases[1] += t2 - t1;
                phases[2] += t3 - t2;
            }
        };
        model.setTraining(true);
        double ms = new BenchRunner(KernelTimer.wallClock(backend), minSeconds).medianMillis(step);

        // profiled steps: the backend waits after each backbone layer and between the phases
        Map<String, List<Double>> times = new LinkedHashMap<>();
        backbone.setProfiler((layer, ns) -> times.computeIfAbsent(layer.name(), k -> new ArrayList<>()).add(ns / 1e6));
        java.util.Arrays.fill(phases, 0);
        timePhases[0] = true;
        try {
            for (int i = 0; i < PROFILED_STEPS; i++) step.run();
        } finally {
            backbone.setProfiler(null);
        }
        Map<String, Double> phaseMs = new LinkedHashMap<>();
        double backboneMs = times.values().stream().flatMap(List::stream).mapToDouble(Double::doubleValue).sum() / PROFILED_STEPS;
        phaseMs.put("forward: backbone layers", backboneMs);
        phaseMs.put("forward: head and loss", phases[0] / 1e6 / PROFILED_STEPS - backboneMs);
        phaseMs.put("backward", phases[1] / 1e6 / PROFILED_STEPS);
        phaseMs.put("optimizer", phases[2] / 1e6 / PROFILED_STEPS);
        Map<String, Graph.Node> nodes = new HashMap<>();
        for (Graph.Node n : backbone.nodes()) nodes.put(n.name(), n);
        List<ModelBench.LayerPoint> layers = new ArrayList<>();
        times.forEach((name, t) -> {
            double[] v = t.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            layers.add(ModelBench.point(backbone, nodes.get(name), batch, v[v.length / 2]));
        });
        long parameters = 0;
        for (var p : model.trainableWeights()) parameters += p.value().size();
        return new Result(batch, batch * 1000.0 / ms, ms, phaseMs, layers, parameters);
    }

    private static int[] shape(Graph g, String name, int batch) {
        int[] s = g.outputShape(name).clone();
        s[0] = batch;
        return s;
    }

    /** The frozen part's outputs that the trained part starts from, for {@code batch} random images in [−1, 1]. */
    private static Map<String, float[]> frozenActivations(Backend backend, Graph g, Set<String> names, int batch, long seed) {
        int[] in = g.outputShape(Graph.INPUT);
        float[] x = ModelBench.input(batch, in[1], in[2], in[3], seed);
        int last = names.stream().mapToInt(g::position).max().orElseThrow();
        Map<String, float[]> out = new LinkedHashMap<>();
        try (TensorScope scope = TensorScope.open(); Autograd.AutoCloseableNoThrow ng = Autograd.noGrad()) {
            Map<String, Tensor> r = g.run(Map.of(Graph.INPUT, Tensor.of(backend, x, batch, in[1], in[2], in[3])), 0, last, names);
            for (String name : names) out.put(name, r.get(name).toArray());
        }
        return out;
    }
}
