package pinkcnn.trainer.train;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import pinkcnn.engine.backend.Backend;
import pinkcnn.engine.cpu.CpuBackend;
import pinkcnn.engine.io.GraphWeights;
import pinkcnn.engine.io.KerasWeights;
import pinkcnn.engine.models.MobileNetV2;
import pinkcnn.engine.nn.Graph;
import pinkcnn.trainer.UserError;

/** Builds the MobileNetV2 backbone of a run and loads pretrained weights into it (checked before use). */
public final class Backbones {
    private Backbones() {}

    /** MobileNetV2 without its top, weights from a Keras-layout file (a file with a top loads too). */
    public static Graph pretrained(Backend b, double alpha, int inputSize, Path weightsFile) {
        Graph g = build(b, alpha, inputSize);
        try {
            GraphWeights.load(g, KerasWeights.read(weightsFile), "MobileNetV2 (alpha " + alpha + ")");
        } catch (IOException e) {
            throw new UserError(e.getMessage());
        }
        return g;
    }

    /** The architecture only (weights come from a run's model.h5). */
    public static Graph build(Backend b, double alpha, int inputSize) {
        try {
            return MobileNetV2.build(b, alpha, inputSize, false, 0, 1);
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage());
        }
    }

    /** MobileNetV2's layer names in model order, from the architecture alone (no weights, no device). */
    public static List<String> layerNames(double alpha) {
        // The names do not depend on the input size: the smallest input builds quickly.
        try (CpuBackend cpu = new CpuBackend(1)) {
            return build(cpu, alpha, 32).nodes().stream().map(Graph.Node::name).toList();
        }
    }

    /**
     * Checks {@code --cut-layer} and {@code --fine-tune-from} (null: none) against MobileNetV2's layer names, before
     * any data or weights load: an unknown name is a one-line {@link UserError} naming the closest layers.
     */
    public static void checkLayers(double alpha, String cutLayer, String fineTuneFrom) {
        List<String> names = layerNames(alpha);
        requireLayer(names, "--cut-layer", cutLayer);
        if (fineTuneFrom == null) return;
        requireLayer(names, "--fine-tune-from", fineTuneFrom);
        if (names.indexOf(fineTuneFrom) > names.indexOf(cutLayer)) {
            throw new UserError("--fine-tune-from " + fineTuneFrom + " comes after the cut " + cutLayer
                    + " (--cut-layer); fine-tuning starts at or before the cut");
        }
    }

    private static void requireLayer(List<String> names, String option, String name) {
        if (names.contains(name)) return;
        throw new UserError(option + " '" + name + "' is not a MobileNetV2 layer; closest: "
                + String.join(", ", closest(name, names, 3)));
    }

    /** The {@code n} names nearest to {@code name} by edit distance, ties in model order. */
    static List<String> closest(String name, List<String> names, int n) {
        List<String> sorted = new ArrayList<>(names);
        sorted.sort(Comparator.comparingInt(candidate -> editDistance(name, candidate))); // stable: keeps model order
        return sorted.subList(0, Math.min(n, sorted.size()));
    }

    /** Levenshtein distance: the fewest single-character insertions, deletions and substitutions from a to b. */
    static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1], current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) previous[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitute = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitute, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] t = previous;
            previous = current;
            current = t;
        }
        return previous[b.length()];
    }
}
