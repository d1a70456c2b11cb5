package pinkcnn.trainer;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import pinkcnn.engine.nn.Graph;
import pinkcnn.engine.nn.Layer;

/**
 * The layers of a model as {@code inspect --list} and {@code cam --list} print them (name, type, output shape,
 * parameters, like a Keras summary), and the error for a layer name that is not there, with the closest names.
 */
public final class LayerListing {
    private LayerListing() {}

    /** The names of layers 0 … {@code last} (by position). */
    public static List<String> names(Graph g, int last) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i <= last; i++) out.add(g.nodes().get(i).name());
        return out;
    }

    /**
     * Prints layers 0 … {@code last}; the layer named {@code marked} (may be null) gets {@code note} after it, and the
     * total counts the parameters of the printed layers.
     */
    public static void print(PrintStream out, Graph g, int last, String marked, String note) {
        out.printf("%-32s %-20s %-20s %10s%n", "layer", "type", "output shape", "params");
        long total = 0;
        for (int i = 0; i <= last; i++) {
            Layer l = g.nodes().get(i).layer();
            int[] s = g.outputShape(l.name());
            s[0] = -1;
            total += l.parameterCount();
            out.printf("%-32s %-20s %-20s %,10d%s%n", l.name(), l.getClass().getSimpleName(),
                    Arrays.toString(s).replace("-1", "None"), l.parameterCount(), l.name().equals(marked) ? "  " + note : "");
        }
        out.printf("total parameters: %,d%n", total);
    }

    /**
     * The error for a layer that is not among {@code names}: it names up to three close ones (by edit distance,
     * ignoring case) and how to see them all.
     */
    public static UserError unknown(String layer, List<String> names, String listCommand) {
        List<String> close = closest(layer, names, 3);
        return new UserError("no layer named '" + layer + "'" + (close.isEmpty() ? "" : "; did you mean " + String.join(", ", close) + "?")
                + " (every layer: '" + listCommand + "')");
    }

    /** Up to {@code k} names nearest to {@code query}, nearest first (ties in the model's order). */
    static List<String> closest(String query, List<String> names, int k) {
        String q = query.toLowerCase(Locale.ROOT);
        List<String> sorted = new ArrayList<>(names);
        sorted.sort(Comparator.comparingInt(n -> distance(q, n.toLowerCase(Locale.ROOT))));
        List<String> out = new ArrayList<>();
        for (String n : sorted) {
            // a suggestion must share at least half of the query: otherwise it only adds noise
            if (out.size() == k || distance(q, n.toLowerCase(Locale.ROOT)) > Math.max(2, q.length() / 2)) break;
            out.add(n);
        }
        return out;
    }

    /** Levenshtein distance (insertions, deletions and substitutions each cost 1). */
    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1], cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
