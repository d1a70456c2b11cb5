package pinkcnn.kernels;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import pinkcnn.engine.backend.ConvGeometry;

/**
 * Depthwise convolution against the CPU backend: the forward pass in every version (v4 in both grid orders), with
 * the fused output stage, and both gradients. Gradients start from random values so that "adds into" is checked too.
 */
class DepthwiseParityTest {
    @RegisterExtension
    static final Twins t = new Twins(29);

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

    /**
     * Cases for the fused output stage (each takes program builds of its own): vector widths 1, 8 and 16, strides 1
     * and 2, a 5×5 kernel, blocks that overhang the row on either side.
     */
    static final List<ConvGeometry> FUSED = List.of(DEPTHWISE.get(0), DEPTHWISE.get(1), DEPTHWISE.get(4),
            DEPTHWISE.get(6), DEPTHWISE.get(11), DEPTHWISE.get(13));

    /** Runs {@code work} with v4 in the grid order of inputs that do not fit in cache (all cases here do). */
    private static void channelsFirst(Runnable work) {
        long saved = ClDepthwise.rowsFirstBytes;
        ClDepthwise.rowsFirstBytes = 0;
        try {
            work.run();
        } finally {
            ClDepthwise.rowsFirstBytes = saved;
        }
    }

    @Test
    void forwardInEveryVersion() {
        for (String version : t.raw.versions(OpenClBackend.DEPTHWISE)) forward(version, "");
    }

    @Test
    void v4InChannelsFirstOrder() {
        channelsFirst(() -> forward("v4_rows", " (channels first)"));
    }

    private void forward(String version, String note) {
        t.raw.withVersion(OpenClBackend.DEPTHWISE, version, () -> {
            for (ConvGeometry g : DEPTHWISE) {
                Twins.Pair x = t.random(g.inputSize()), w = t.random((long) g.kh() * g.kw() * g.cin());
                Twins.Pair y = t.random(g.outputSize());
                t.run((b, s) -> b.depthwiseConv2d(g, s.at(x), s.at(w), s.at(y)));
                t.assertClose(y, "depthwise " + version + note + " " + g);
            }
        });
    }

    /**
     * Frozen batch norm (and ReLU6) in the output stage: v3 and v4 (in both orders) fuse it, v2 takes two steps on the
     * device; all against the CPU backend's two steps.
     */
    @Test
    void fusedOutputStagesMatchTheTwoSteps() {
        for (float[] range : ConvParityTest.OUTPUT_RANGES) {
            for (String version : List.of("v2_vec", "v3_window", "v4_rows")) {
                t.raw.withVersion(OpenClBackend.DEPTHWISE, version, () -> {
                    for (ConvGeometry g : FUSED) ConvParityTest.fusedCase(t, g, true, range, "depthwise " + version);
                });
            }
            t.raw.withVersion(OpenClBackend.DEPTHWISE, "v4_rows", () -> channelsFirst(() -> {
                for (ConvGeometry g : FUSED) ConvParityTest.fusedCase(t, g, true, range, "depthwise v4 (channels first)");
            }));
        }
    }

    @Test
    void gradients() {
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
}
