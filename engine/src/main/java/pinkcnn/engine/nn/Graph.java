package pinkcnn.engine.nn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import pinkcnn.engine.Autograd;
import pinkcnn.engine.Tensor;

/**
 * A Keras-style functional model: named layers in topological order, each applied to the outputs of earlier layers
 * (one input, or two for {@link Add}). Every named layer's output can be read, and a pass can start in the middle —
 * from cached activations — and stop at any layer, which is how frozen backbones and fine-tuning share one model.
 */
public final class Graph {
    /** The name of the model input, as Keras names it. */
    public static final String INPUT = "input_1";

    /** One layer and the names of the layers whose outputs it consumes. */
    public record Node(Layer layer, List<String> inputs) {
        public String name() {
            return layer.name();
        }
    }

    /** Receives each layer's wall time in a pass (for profiles); the backend is synchronised around each layer. */
    public interface Profiler {
        void layer(Layer layer, long nanos);
    }

    private final List<Node> nodes = new ArrayList<>();
    private Profiler profiler;
    private final Map<String, Integer> index = new HashMap<>();
    private final Map<String, int[]> shapes = new HashMap<>();

    /** @param inputShape the input's shape without the batch axis (H, W, C) */
    public Graph(int... inputShape) {
        int[] s = new int[inputShape.length + 1];
        s[0] = 1;
        System.arraycopy(inputShape, 0, s, 1, inputShape.length);
        shapes.put(INPUT, s);
    }

    /** Appends a layer fed by the given earlier layers (or {@link #INPUT}); returns its name. */
    public String add(Layer layer, String... inputs) {
        if (index.containsKey(layer.name()) || layer.name().equals(INPUT)) {
            throw new IllegalArgumentException("duplicate layer name " + layer.name());
        }
        for (String in : inputs) {
            if (!shapes.containsKey(in)) throw new IllegalArgumentException(layer.name() + ": unknown input " + in);
        }
        index.put(layer.name(), nodes.size());
        nodes.add(new Node(layer, List.of(inputs)));
        shapes.put(layer.name(), layer.outputShape(shapes.get(inputs[0])));
        return layer.name();
    }

    /** Times every layer of later passes (null to stop); costs a backend synchronisation per layer. */
    public void setProfiler(Profiler profiler) {
        this.profiler = profiler;
    }

    public List<Node> nodes() {
        return Collections.unmodifiableList(nodes);
    }

    public Layer layer(String name) {
        Integer i = index.get(name);
        if (i == null) throw new IllegalArgumentException("no layer named '" + name + "'");
        return nodes.get(i).layer();
    }

    public boolean has(String name) {
        return index.containsKey(name);
    }

    /** Output shape of a layer for batch 1. */
    public int[] outputShape(String name) {
        int[] s = shapes.get(name);
        if (s == null) throw new IllegalArgumentException("no layer named '" + name + "'");
        return s.clone();
    }

    public String lastLayer() {
        return nodes.get(nodes.size() - 1).name();
    }

    /** Position of a layer in the topological order. */
    public int position(String name) {
        layer(name);
        return index.get(name);
    }

    public List<Layer> layers() {
        List<Layer> out = new ArrayList<>();
        for (Node n : nodes) out.add(n.layer());
        return out;
    }

    public List<Parameter> weights() {
        List<Parameter> out = new ArrayList<>();
        for (Node n : nodes) out.addAll(n.layer().weights());
        return out;
    }

    public void setTraining(boolean training) {
        for (Node n : nodes) n.layer().setTraining(training);
    }

    /** The output of layer {@code last} for input x. */
    public Tensor forward(Tensor x, String last) {
        return run(Map.of(INPUT, x), 0, position(last), Set.of()).get(last);
    }

    /**
     * Runs layers [first, last] by position, given the outputs they need from before {@code first}
     * ({@link #frontier}), and returns the outputs of {@code last} and of every layer named in {@code keep}.
     * Intermediate outputs that no later layer needs are dropped as soon as possible.
     */
    public Map<String, Tensor> run(Map<String, Tensor> given, int first, int last, Set<String> keep) {
        Map<String, Integer> lastUse = new HashMap<>(), uses = new HashMap<>();
        for (int i = first; i <= last; i++) {
            for (String in : nodes.get(i).inputs()) {
                lastUse.put(in, i);
                uses.merge(in, 1, Integer::sum);
            }
        }
        Map<String, Tensor> live = new HashMap<>(given);
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (String k : keep) if (given.containsKey(k)) out.put(k, given.get(k));
        for (int i = first; i <= last; i++) {
            Node node = nodes.get(i);
            Layer timed = node.layer(); // a fused batch norm + ReLU is timed as the batch norm
            long t0 = profiler == null ? 0 : System.nanoTime();
            Tensor y;
            int fused = convFusion(i, last, keep, uses);
            if (fused > 1) {
                // convolution + frozen batch norm (+ ReLU): the batch norm and the ReLU run in the convolution's output
                // stage, and neither the convolution's nor the batch norm's output is ever materialised
                Tensor[] scaleShift = ((BatchNorm) nodes.get(i + 1).layer()).movingScaleShift();
                boolean relu = fused == 3;
                float hi = relu ? ((ReLU) nodes.get(i + 2).layer()).maxValue() : Float.POSITIVE_INFINITY;
                y = ((FusableConv) node.layer()).forwardAffine(need(live, node, 0), scaleShift[0], scaleShift[1],
                        relu ? 0f : Float.NEGATIVE_INFINITY, hi);
                scaleShift[0].release();
                scaleShift[1].release();
                i += fused - 1;
                releaseDeadInputs(node, i, live, lastUse, given, keep);
                node = nodes.get(i);
            } else if (fusesWithNext(i, last, keep, uses)) {
                // batch norm + ReLU in one pass: the batch norm's own output is never materialised
                Node relu = nodes.get(++i);
                y = ((BatchNorm) node.layer()).forwardClamped(need(live, node, 0), ((ReLU) relu.layer()).maxValue());
                releaseDeadInputs(node, i, live, lastUse, given, keep);
                node = relu;
            } else if (node.inputs().size() == 2) {
                y = ((Add) node.layer()).forward(need(live, node, 0), need(live, node, 1));
            } else {
                y = node.layer().forward(need(live, node, 0));
            }
            if (profiler != null) {
                y.backend().finish();
                profiler.layer(timed, System.nanoTime() - t0);
            }
            live.put(node.name(), y);
            if (keep.contains(node.name()) || i == last) out.put(node.name(), y);
            for (String in : node.inputs()) {
                if (lastUse.get(in) != i) continue;
                Tensor dead = live.remove(in);
                // Without a graph to back-propagate through, a dead activation's buffer goes straight back to the
                // pool, so a whole pass needs only a few activations' worth of memory (no page faults after it).
                if (!Autograd.enabled() && dead != null && !given.containsKey(in) && !keep.contains(in)) dead.release();
            }
        }
        return out;
    }

    /** Releases the inputs of a fused node that nothing after position i reads. */
    private static void releaseDeadInputs(Node node, int i, Map<String, Tensor> live, Map<String, Integer> lastUse,
                                          Map<String, Tensor> given, Set<String> keep) {
        for (String in : node.inputs()) if (lastUse.get(in) <= i) {
            Tensor dead = live.remove(in);
            if (dead != null && !given.containsKey(in) && !keep.contains(in)) dead.release();
        }
    }

    /**
     * How many nodes from i run as one fused convolution: 3 for a convolution, a batch norm on moving statistics and
     * a ReLU, 2 without the ReLU, 0 when they cannot be fused. Only without gradients, and when nothing else reads or
     * asked for the outputs folded away.
     */
    private int convFusion(int i, int last, Set<String> keep, Map<String, Integer> uses) {
        if (Autograd.enabled() || i + 1 > last) return 0;
        Node conv = nodes.get(i), bn = nodes.get(i + 1);
        if (!(conv.layer() instanceof FusableConv f && f.canFuse() && bn.layer() instanceof BatchNorm b
                && b.usesMovingStatistics() && onlyReader(conv, bn, keep, uses))) return 0;
        if (i + 2 > last) return 2;
        Node relu = nodes.get(i + 2);
        return relu.layer() instanceof ReLU && onlyReader(bn, relu, keep, uses) ? 3 : 2;
    }

    /** Whether {@code reader} is the only consumer of {@code node}'s output, which nobody asked to keep. */
    private static boolean onlyReader(Node node, Node reader, Set<String> keep, Map<String, Integer> uses) {
        return reader.inputs().equals(List.of(node.name())) && uses.getOrDefault(node.name(), 0) == 1
                && !keep.contains(node.name());
    }

    /**
     * Whether node i (a batch norm on moving statistics) and node i+1 (a ReLU of its output alone) can run as one
     * fused pass: only without gradients, and when nobody else reads or asked for the batch norm's output.
     */
    private boolean fusesWithNext(int i, int last, Set<String> keep, Map<String, Integer> uses) {
        if (Autograd.enabled() || i + 1 > last) return false;
        Node bn = nodes.get(i), next = nodes.get(i + 1);
        return bn.layer() instanceof BatchNorm b && b.usesMovingStatistics() && next.layer() instanceof ReLU
                && onlyReader(bn, next, keep, uses);
    }

    private static Tensor need(Map<String, Tensor> live, Node node, int k) {
        Tensor t = live.get(node.inputs().get(k));
        if (t == null) throw new IllegalStateException(node.name() + " needs the output of " + node.inputs().get(k));
        return t;
    }

    /**
     * The outputs computed before layer {@code start} that layers from {@code start} on consume: what must be
     * cached to resume a pass there (one tensor for a plain chain; two inside a residual block).
     */
    public Set<String> frontier(String start) {
        int s = position(start);
        Set<String> f = new LinkedHashSet<>();
        for (int i = s; i < nodes.size(); i++)
            for (String in : nodes.get(i).inputs())
                if (in.equals(INPUT) || index.get(in) < s) f.add(in);
        return f;
    }

    public long parameterCount() {
        long n = 0;
        for (Node node : nodes) n += node.layer().parameterCount();
        return n;
    }
}
