package pinkcnn.trainer.cam;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import pinkcnn.engine.Autograd;
import pinkcnn.engine.Tensor;
import pinkcnn.engine.TensorScope;
import pinkcnn.engine.backend.Backend;
import pinkcnn.engine.nn.Graph;
import pinkcnn.engine.nn.Layer;
import pinkcnn.engine.ops.Functional;
import pinkcnn.trainer.train.Classifier;
import pinkcnn.trainer.train.TrainingRun;

/**
 * Class activation maps of a trained classifier, with the engine's own autograd on whatever backend the model lives
 * on. For a batch of images and a layer L of the backbone (at most the cut, the layer the head reads):
 * <ol>
 *   <li>the backbone runs from the input to L without recording a graph — the frozen part below L needs no
 *       gradients, and its fused kernels stay in use;</li>
 *   <li>L's activations A become a leaf that requires a gradient, and the rest of the model runs from there with
 *       recording on: the backbone from L to the cut (the other activations it reads, such as a residual input,
 *       held constant), the pooling a frozen run does on the host, and the head, in eval mode;</li>
 *   <li>the class score — the logit of the chosen class, before softmax — is summed over the batch and
 *       back-propagated; every weight is frozen meanwhile, so A is the only tensor that receives a gradient.
 *       Images in a batch do not interact in eval mode, so each image's slice of ∂(Σ scores)/∂A is its own
 *       ∂y_c/∂A.</li>
 * </ol>
 * The maps then come from A and ∂y_c/∂A on the host ({@link CamMaps}).
 */
public final class ClassActivationMaps {
    /** The class with the highest probability, image by image. */
    public static final int TOP = -1;
    /** Images per pass: bounds the memory of the recorded graph when L is early in the network. */
    private static final int BATCH = 8;

    private final Backend backend;
    private final Graph backbone;
    private final Classifier model;
    private final String cut;
    private final int hostGrid, size;

    /**
     * @param cut      the layer the head reads
     * @param hostGrid the grid of the pooling a frozen run does on the host before the head (1 for global average,
     *                 0 for none); a fine-tuned run pools inside its head
     * @param size     the input side in pixels
     */
    public ClassActivationMaps(Backend backend, Graph backbone, Classifier model, String cut, int hostGrid, int size) {
        this.backend = backend;
        this.backbone = backbone;
        this.model = model;
        this.cut = cut;
        this.hostGrid = hostGrid;
        this.size = size;
    }

    /** The maps of a loaded run (member 0 of an ensemble: the run's own model). */
    public static ClassActivationMaps of(Backend backend, TrainingRun.Loaded run) {
        var cfg = run.cfg();
        return new ClassActivationMaps(backend, run.backbone(), run.model(), cfg.cutLayer,
                cfg.frozen() ? cfg.pool.gridSize() : 0, cfg.inputSize);
    }

    /** The layer the head reads: the default layer of a map. */
    public String cut() {
        return cut;
    }

    public int inputSize() {
        return size;
    }

    /** The layers a map can be made at: the backbone's, from the input up to the cut. */
    public List<String> layers() {
        List<String> out = new ArrayList<>();
        for (int i = 0; i <= backbone.position(cut); i++) out.add(backbone.nodes().get(i).name());
        return out;
    }

    public Graph backbone() {
        return backbone;
    }

    /** The maps of one image for one class at one layer. */
    public record Result(int image, int classIndex, float[] probabilities, String layer, int height, int width,
                         Map<CamMethod, float[]> maps) {
        public float probability() {
            return probabilities[classIndex];
        }
    }

    /** Scaled network inputs (x/127.5 − 1) of n images of {@code size × size} RGB bytes. */
    public static float[] scaled(byte[] rgb, float scale, float offset) {
        float[] x = new float[rgb.length];
        for (int i = 0; i < x.length; i++) x[i] = (rgb[i] & 0xFF) * scale + offset;
        return x;
    }

    /**
     * The maps of n images (scaled inputs, n×size×size×3) at {@code layer}, for the classes {@code classes[i]} of
     * image i (class indices, or {@link #TOP}; as many for every image) and each method: results image by image,
     * each image's in the order of its classes.
     */
    public List<Result> compute(float[] pixels, int n, String layer, int[][] classes, List<CamMethod> methods) {
        int position = backbone.position(layer);
        if (position > backbone.position(cut)) {
            throw new IllegalArgumentException(layer + " comes after " + cut + ", the layer the head reads");
        }
        boolean gradient = methods.stream().anyMatch(CamMethod::needsGradient);
        int per = size * size * 3, slots = classes.length == 0 ? 0 : classes[0].length;
        for (int[] c : classes) if (c.length != slots) throw new IllegalArgumentException("as many classes for every image");
        List<Result> out = new ArrayList<>();
        List<Layer> changed = freezeForMaps();
        try {
            for (int start = 0; start < n; start += BATCH) {
                int count = Math.min(BATCH, n - start);
                float[] batch = Arrays.copyOfRange(pixels, start * per, (start + count) * per);
                int[][] wanted = Arrays.copyOfRange(classes, start, start + count);
                out.addAll(batch(batch, count, start, position, layer, wanted, slots, methods, gradient));
            }
        } finally {
            for (Layer l : changed) l.setTrainable(true);
        }
        return out;
    }

    private List<Result> batch(float[] pixels, int count, int first, int position, String layer, int[][] classes,
                               int slots, List<CamMethod> methods, boolean gradient) {
        int cutPosition = backbone.position(cut);
        try (TensorScope scope = TensorScope.open()) {
            // 1. the input to L, no graph; keep what the layers after L read from before them
            Set<String> keep = new LinkedHashSet<>(List.of(layer));
            if (position < cutPosition) keep.addAll(backbone.frontier(backbone.nodes().get(position + 1).name()));
            Map<String, Tensor> below;
            try (Autograd.AutoCloseableNoThrow ng = Autograd.noGrad()) {
                below = backbone.run(Map.of(Graph.INPUT, Tensor.of(backend, pixels, count, size, size, 3)), 0, position, keep);
            }
            Tensor a = below.get(layer);
            int h = a.dim(1), w = a.dim(2), c = a.dim(3), per = h * w * c;
            float[] activations = a.toArray();

            // 2. the logits (for the probabilities and the top class), then one backward pass per requested class
            float[][] probabilities = new float[count][];
            List<float[]> gradients = new ArrayList<>();
            int[][] chosen = new int[slots][count];
            for (int j = -1; j < (gradient ? slots : 0); j++) {
                Tensor leaf = Tensor.of(backend, activations, a.shape()).requiresGrad(j >= 0);
                Tensor logits = j >= 0 ? logitsFrom(leaf, below, layer, position, cutPosition)
                        : noGradLogits(leaf, below, layer, position, cutPosition);
                int k = logits.dim(1);
                if (j < 0) {
                    float[] z = logits.toArray();
                    for (int i = 0; i < count; i++) probabilities[i] = softmax(z, i * k, k);
                    for (int q = 0; q < slots; q++) {
                        for (int i = 0; i < count; i++) {
                            int want = classes[i][q];
                            if (want != TOP && (want < 0 || want >= k)) throw new IllegalArgumentException("class " + want + " of " + k);
                            chosen[q][i] = want == TOP ? argmax(probabilities[i]) : want;
                        }
                    }
                    continue;
                }
                float[] select = new float[count * k];
                for (int i = 0; i < count; i++) select[i * k + chosen[j][i]] = 1f;
                Tensor score = Functional.sum(Functional.multiply(logits, Tensor.of(backend, select, count, k)));
                score.backward();
                gradients.add(leaf.gradArray());
            }

            List<Result> results = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                float[] ai = Arrays.copyOfRange(activations, i * per, (i + 1) * per);
                for (int q = 0; q < slots; q++) {
                    float[] gi = gradient ? Arrays.copyOfRange(gradients.get(q), i * per, (i + 1) * per) : null;
                    Map<CamMethod, float[]> maps = new EnumMap<>(CamMethod.class);
                    for (CamMethod m : methods) maps.put(m, m.map(ai, gi, h, w, c));
                    results.add(new Result(first + i, chosen[q][i], probabilities[i], layer, h, w, maps));
                }
            }
            return results;
        }
    }

    private Tensor noGradLogits(Tensor leaf, Map<String, Tensor> below, String layer, int position, int cutPosition) {
        try (Autograd.AutoCloseableNoThrow ng = Autograd.noGrad()) {
            return logitsFrom(leaf, below, layer, position, cutPosition);
        }
    }

    /** The rest of the model from L's activations: backbone to the cut, host pooling of a frozen run, head. */
    private Tensor logitsFrom(Tensor a, Map<String, Tensor> below, String layer, int position, int cutPosition) {
        Tensor x = a;
        if (position < cutPosition) {
            Map<String, Tensor> given = new HashMap<>(below);
            given.put(layer, a);
            x = backbone.run(given, position + 1, cutPosition, Set.of()).get(cut);
        }
        if (hostGrid > 0) x = Functional.gridAveragePool2d(x, hostGrid);
        for (Layer l : model.head()) x = l.forward(x);
        return x;
    }

    /**
     * Eval mode, and every weight frozen so that no weight gradient is computed or accumulated: returns the layers
     * that were trainable, to be unfrozen afterwards (batch norm in eval mode uses its moving statistics either way).
     */
    private List<Layer> freezeForMaps() {
        model.setTraining(false);
        List<Layer> changed = new ArrayList<>();
        List<Layer> all = new ArrayList<>(backbone.layers());
        all.addAll(model.head());
        for (Layer l : all) {
            if (l.trainable() && !l.weights().isEmpty()) {
                changed.add(l);
                l.setTrainable(false);
            }
        }
        return changed;
    }

    static float[] softmax(float[] z, int offset, int k) {
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        for (int c = 0; c < k; c++) max = Math.max(max, z[offset + c]);
        double[] e = new double[k];
        for (int c = 0; c < k; c++) sum += e[c] = Math.exp(z[offset + c] - max);
        float[] p = new float[k];
        for (int c = 0; c < k; c++) p[c] = (float) (e[c] / sum);
        return p;
    }

    static int argmax(float[] v) {
        int best = 0;
        for (int j = 1; j < v.length; j++) if (v[j] > v[best]) best = j;
        return best;
    }
}
