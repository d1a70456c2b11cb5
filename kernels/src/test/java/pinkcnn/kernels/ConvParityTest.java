package pinkcnn.kernels;

import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import pinkcnn.engine.backend.ConvGeometry;

/**
 * Dense and depthwise convolution, forward and both gradients, and zero padding, against the CPU backend. Gradients
 * start from random values so that "adds into" is checked too.
 */
class ConvParityTest {
    static Twins t;

    /** Odd sizes, batch 1 and 7, stride 2 with asymmetric padding, non-square kernels, a 1×1 (pure GEMM) case. */
    static final List<ConvGeometry> DENSE = List.of(
            new ConvGeometry(1, 7, 9, 5, 3, 3, 1, 1, 1, 1, 1, 4),
            new ConvGeometry(3, 13, 11, 17, 3, 3, 2, 0, 1, 0, 1, 6),
            new ConvGeometry(7, 5, 6, 3, 1, 1, 1, 0, 0, 0, 0, 10),
            new ConvGeometry(7, 9, 8, 6, 2, 3, 2, 1, 0, 2, 1, 5),
            new ConvGeometry(2, 12, 10, 16, 1, 1, 2, 0, 0, 0, 0, 7),
            new ConvGeometry(1, 16, 16, 3, 3, 3, 2, 0, 1, 0, 1, 32));

    /** Channel counts that take every vector width of depthwise v2 (17 and 5: 1, 6: 2, 12: 4, 24: 8, 16 and 48: 16). */
    static final List<ConvGeometry> DEPTHWISE = List.of(
            new ConvGeometry(1, 7, 9, 5, 3, 3, 1, 1, 1, 1, 1, 5),
            new ConvGeometry(3, 13, 11, 17, 3, 3, 2, 0, 1, 0, 1, 17),
            new ConvGeometry(7, 6, 5, 6, 3, 3, 1, 1, 1, 1, 1, 6),
            new ConvGeometry(2, 11, 13, 12, 3, 3, 2, 1, 1, 1, 1, 12),
            new ConvGeometry(1, 19, 10, 24, 3, 3, 1, 1, 1, 1, 1, 24),
            new ConvGeometry(2, 10, 21, 16, 3, 3, 2, 0, 1, 0, 1, 16),
            new ConvGeometry(1, 9, 9, 48, 5, 5, 1, 2, 2, 2, 2, 48),
            new ConvGeometry(7, 4, 5, 16, 2, 3, 1, 0, 1, 1, 1, 16),
            new ConvGeometry(2, 4, 1, 8, 3, 3, 1, 1, 1, 0, 2, 8), // one column: most taps fall in the padding
            new ConvGeometry(2, 5, 1, 8, 3, 3, 2, 1, 1, 0, 2, 8),
            new ConvGeometry(1, 10, 11, 4, 3, 3, 3, 1, 1, 1, 1, 4), // stride 3
            // rows of several column blocks (OWB up to 16): blocks that overhang the row by their first or last column
            // (v4's edge path), a short last block that overhangs it by more (the checked path)
            new ConvGeometry(1, 6, 30, 32, 3, 3, 1, 1, 1, 1, 1, 32),
            new ConvGeometry(2, 5, 40, 16, 3, 3, 1, 1, 1, 1, 1, 16),
            new ConvGeometry(1, 7, 28, 16, 3, 3, 2, 0, 1, 0, 1, 16));

    @BeforeAll
    static void open() {
        t = new Twins(ConvParityTest.class, 11);
    }

    @AfterAll
    static void close() {
        if (t != null) t.close();
    }

    private static long weights(ConvGeometry g) {
        return (long) g.kh() * g.kw() * g.cin() * g.cout();
    }

    @Test
    void conv2dForwardAndGradients() {
        for (ConvGeometry g : DENSE) denseCase(g);
    }

    @Test
    void conv2dInImageBatchesWhenTheColumnsDoNotFit() {
        long saved = ClConv.maxColumnFloats;
        ClConv.maxColumnFloats = 2000; // a few images per im2col batch
        try {
            denseCase(new ConvGeometry(7, 9, 8, 6, 2, 3, 2, 1, 0, 2, 1, 5));
            denseCase(new ConvGeometry(5, 13, 11, 4, 3, 3, 1, 1, 1, 1, 1, 3));
        } finally {
            ClConv.maxColumnFloats = saved;
        }
    }

    private void denseCase(ConvGeometry g) {
        Twins.Pair x = t.random(g.inputSize()), w = t.random(weights(g)), y = t.random(g.outputSize());
        t.run((b, s) -> b.conv2d(g, s.at(x), s.at(w), s.at(y)));
        t.assertClose(y, "conv2d " + g);
        Twins.Pair dy = t.random(g.outputSize()), dx = t.random(g.inputSize()), dw = t.random(weights(g));
        t.run((b, s) -> b.conv2dInputGrad(g, s.at(dy), s.at(w), s.at(dx)));
        t.assertClose(dx, "conv2dInputGrad " + g);
        t.run((b, s) -> b.conv2dWeightGrad(g, s.at(x), s.at(dy), s.at(dw)));
        t.assertClose(dw, "conv2dWeightGrad " + g);
    }

    @Test
    void depthwiseForwardInEveryVersion() {
        for (String version : OpenClBackend.versions(OpenClBackend.DEPTHWISE)) depthwiseForward(version, "");
    }

    /** v4 in the grid order of inputs that do not fit in cache (the cases above are small enough for rows first). */
    @Test
    void depthwiseV4InChannelsFirstOrder() {
        long saved = ClDepthwise.rowsFirstBytes;
        ClDepthwise.rowsFirstBytes = 0;
        try {
            depthwiseForward("v4_rows", " (channels first)");
        } finally {
            ClDepthwise.rowsFirstBytes = saved;
        }
    }

    private void depthwiseForward(String version, String note) {
        String previous = t.raw.version(OpenClBackend.DEPTHWISE);
        t.raw.useVersion(OpenClBackend.DEPTHWISE, version);
        try {
            for (ConvGeometry g : DEPTHWISE) {
                Twins.Pair x = t.random(g.inputSize()), w = t.random((long) g.kh() * g.kw() * g.cin());
                Twins.Pair y = t.random(g.outputSize());
                t.run((b, s) -> b.depthwiseConv2d(g, s.at(x), s.at(w), s.at(y)));
                t.assertClose(y, "depthwise " + version + note + " " + g);
            }
        } finally {
            t.raw.useVersion(OpenClBackend.DEPTHWISE, previous);
        }
    }

    @Test
    void depthwiseGradients() {
        for (ConvGeometry g : DEPTHWISE) {
            long taps = (long) g.kh() * g.kw() * g.cin();
            Twins.Pair x = t.random(g.inputSize()), w = t.random(taps), dy = t.random(g.outputSize());
            Twins.Pair dx = t.random(g.inputSize()), dw = t.random(taps);
            t.run((b, s) -> b.depthwiseConv2dInputGrad(g, s.at(dy), s.at(w), s.at(dx)));
            t.assertClose(dx, "depthwiseConv2dInputGrad " + g);
            t.run((b, s) -> b.depthwiseConv2dWeightGrad(g, s.at(x), s.at(dy), s.at(dw)));
            t.assertClose(dw, "depthwiseConv2dWeightGrad " + g);
        }
    }

    @Test
    void padAndItsGradient() {
        int[][] cases = {{1, 7, 9, 5, 0, 1, 0, 1}, {3, 13, 11, 17, 1, 1, 1, 1}, {7, 4, 6, 3, 2, 0, 1, 3}};
        for (int[] c : cases) {
            int n = c[0], h = c[1], w = c[2], ch = c[3], top = c[4], bottom = c[5], left = c[6], right = c[7];
            long in = (long) n * h * w * ch, out = (long) n * (h + top + bottom) * (w + left + right) * ch;
            Twins.Pair x = t.random(in), y = t.random(out), dx = t.random(in);
            t.run((b, s) -> b.pad(n, h, w, ch, top, bottom, left, right, s.at(x), s.at(y)));
            t.assertClose(y, 0, 0, "pad " + java.util.Arrays.toString(c));
            t.run((b, s) -> b.padGrad(n, h, w, ch, top, bottom, left, right, s.at(y), s.at(dx)));
            t.assertClose(dx, "padGrad " + java.util.Arrays.toString(c));
        }
    }
}
