package pinkcnn.kernels;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import pinkcnn.engine.backend.ConvGeometry;

/** Max pooling (with many exact ties: the gradient must go to the same first maximum) and global average pooling. */
class PoolParityTest {
    @RegisterExtension
    static final Twins t = new Twins(13);

    static final List<ConvGeometry> MAX = List.of(
            new ConvGeometry(1, 7, 9, 5, 2, 2, 2, 0, 0, 0, 0, 5),
            new ConvGeometry(3, 13, 11, 17, 3, 3, 2, 0, 1, 0, 1, 17),
            new ConvGeometry(7, 6, 5, 4, 3, 3, 1, 1, 1, 1, 1, 4),
            new ConvGeometry(2, 9, 8, 3, 3, 2, 2, 1, 0, 0, 1, 3));

    @Test
    void maxPoolAndGradient() {
        for (ConvGeometry g : MAX) {
            for (boolean ties : new boolean[] {false, true}) {
                Twins.Pair x = ties ? t.ties(g.inputSize(), 3) : t.random(g.inputSize());
                Twins.Pair y = t.random(g.outputSize()), dy = t.random(g.outputSize()), dx = t.random(g.inputSize());
                t.run((b, s) -> b.maxPool(g, s.at(x), s.at(y)));
                t.assertClose(y, 0, 0, "maxPool " + g);
                t.run((b, s) -> b.maxPoolGrad(g, s.at(x), s.at(dy), s.at(dx)));
                t.assertClose(dx, "maxPoolGrad " + g + (ties ? " with ties" : ""));
            }
        }
    }

    @Test
    void globalAveragePoolAndGradient() {
        int[][] cases = {{1, 63, 5}, {3, 143, 17}, {7, 49, 1280}};
        for (int[] c : cases) {
            int n = c[0], hw = c[1], ch = c[2];
            Twins.Pair x = t.random((long) n * hw * ch), y = t.random((long) n * ch), dx = t.random((long) n * hw * ch);
            t.run((b, s) -> b.globalAveragePool(n, hw, ch, s.at(x), s.at(y)));
            t.assertClose(y, "globalAveragePool " + java.util.Arrays.toString(c));
            t.run((b, s) -> b.globalAveragePoolGrad(n, hw, ch, s.at(y), s.at(dx)));
            t.assertClose(dx, "globalAveragePoolGrad " + java.util.Arrays.toString(c));
        }
    }
}
