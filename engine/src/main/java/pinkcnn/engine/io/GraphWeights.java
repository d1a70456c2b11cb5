package pinkcnn.engine.io;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import pinkcnn.engine.nn.Graph;
import pinkcnn.engine.nn.Layer;
import pinkcnn.engine.nn.Parameter;

/** Moves weights between a {@link Graph} and the Keras HDF5 layout, matching layers by name and weights by Keras name. */
public final class GraphWeights {
    private GraphWeights() {}

    /** What the graph expects: layer → its weights' names and shapes (weightless layers map to an empty list). */
    public static Map<String, List<WeightSpec>> expected(Graph graph) {
        Map<String, List<WeightSpec>> out = new LinkedHashMap<>();
        for (Layer layer : graph.layers()) {
            List<WeightSpec> specs = new ArrayList<>();
            for (Parameter p : layer.weights()) specs.add(new WeightSpec(p.name(), p.shape()));
            out.put(layer.name(), specs);
        }
        return out;
    }

    /**
     * Checks every layer's weights (missing layer, missing weight, wrong shape: all reported at once, naming the file)
     * and only then copies them into the graph, so a bad file changes nothing.
     */
    public static void load(Graph graph, KerasWeights weights, String modelDescription) throws WeightFileException {
        weights.checkAgainst(expected(graph), modelDescription);
        for (Layer layer : graph.layers()) {
            for (Parameter p : layer.weights()) p.load(weights.weight(layer.name(), p.name()).data());
        }
    }

    /** The graph's current weights in Keras layout, with {@code input_1} and every weightless layer listed. */
    public static KerasWeights of(Graph graph) {
        KerasWeights out = new KerasWeights();
        out.add(Graph.INPUT, List.of());
        for (Layer layer : graph.layers()) {
            List<Weight> ws = new ArrayList<>();
            for (Parameter p : layer.weights()) ws.add(new Weight(p.name(), p.shape(), p.value().toArray()));
            out.add(layer.name(), ws);
        }
        return out;
    }
}
