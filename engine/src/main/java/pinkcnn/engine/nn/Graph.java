package pinkcnn.engine.nn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
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

    /** Receives each step's wall time in a pass (for profiles); the backend is synchronised around each step. */
    public interface Profiler {
        void layer(Layer layer, long nanos);

        /** A step of one layer or of several run as one (fused); by default reported as its first layer. */
        default void step(List<Node> nodes, long nanos) {
            layer(nodes.get(0).layer(), nanos);
        }
    }

    private final List<Node> nodes = new ArrayList<>();
    private Profiler profiler;
    private final Map<String, Integer> index = new HashMap<>();
    private final Map<String, int[]> shapes = new HashMap<>();
    private final Map<GraphPlan.Key, GraphPlan> plans = new ConcurrentHashMap<>();

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
        plans.clear();
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
     * Intermediate outputs that no later layer needs are dropped as soon as possible. Without gradients, convolution →
     * frozen batch norm → ReLU runs as one fused step where nothing else needs the outputs in between
     * ({@link GraphPlan}).
     */
    public Map<String, Tensor> run(Map<String, Tensor> given, int first, int last, Set<String> keep) {
        GraphPlan.Key key = GraphPlan.key(nodes, first, last, keep, Autograd.enabled());
        GraphPlan plan = plans.computeIfAbsent(key, k -> GraphPlan.of(nodes, k));
        Map<String, Tensor> live = new HashMap<>(given);
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (String k : keep) if (given.containsKey(k)) out.put(k, given.get(k));
        for (GraphPlan.Step step : plan.steps()) {
            long t0 = profiler == null ? 0 : System.nanoTime();
            List<Tensor> in = new ArrayList<>(step.inputs().size());
            for (String name : step.inputs()) {
                Tensor t = live.get(name);
                if (t == null) throw new IllegalStateException(step.first().name() + " needs the output of " + name);
                in.add(t);
            }
            Tensor y = step.apply(in);
            if (profiler != null) {
                y.backend().finish();
                profiler.step(step.nodes(), System.nanoTime() - t0);
            }
            live.put(step.output(), y);
            if (step.returned()) out.put(step.output(), y);
            for (String dead : step.dead()) live.remove(dead);
            // Without a graph to back-propagate through, a dead activation's buffer goes straight back to the pool, so
            // a whole pass needs only a few activations' worth of memory (no page faults after it).
            for (String dead : step.released()) in.get(step.inputs().indexOf(dead)).release();
        }
        return out;
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
