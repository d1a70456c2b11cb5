package pinkcnn.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import pinkcnn.engine.backend.ConvGeometry;
import pinkcnn.engine.backend.InvertedResidual;

/**
 * Dense convolution, forward (plain and with its fused output stage) and both gradients, zero padding, and the
 * inverted-residual block, against the CPU backend. Gradients start from random values so that "adds into" is checked
 * too.
 */
class ConvParityTest {
    @RegisterExtension
    static final Twins t = new Twins(11);

    /**
     * Odd sizes, batch 1 and 7, stride 2 with asymmetric padding, non-square kernels, a 1×1 (pure GEMM) case, and
     * few-channel inputs (the direct kernel).
     */
    static final List<ConvGeometry> DENSE = List.of(
            new ConvGeometry(1, 7, 9, 5, 3, 3, 1, 1, 1, 1, 1, 4),
            new ConvGeometry(3, 13, 11, 17, 3, 3, 2, 0, 1, 0, 1, 6),
            new ConvGeometry(7, 5, 6, 3, 1, 1, 1, 0, 0, 0, 0, 10),
            new ConvGeometry(7, 9, 8, 6, 2, 3, 2, 1, 0, 2, 1, 5),
            new ConvGeometry(2, 12, 10, 16, 1, 1, 2, 0, 0, 0, 0, 7),
            new ConvGeometry(1, 16, 16, 3, 3, 3, 2, 0, 1, 0, 1, 32),
            // inputs of up to 4 channels to whole vectors take conv_direct on a CPU device: stride 1 with a partial
            // block of pixels, a non-square kernel with asymmetric padding, 1 to 4 vectors per pixel
            new ConvGeometry(2, 11, 13, 4, 3, 3, 1, 1, 1, 1, 1, 16),
            new ConvGeometry(1, 9, 21, 1, 5, 3, 2, 2, 1, 0, 2, 64),
            new ConvGeometry(3, 8, 7, 2, 3, 3, 2, 1, 1, 1, 1, 48));

    /** clamp [0, 6] (ReLU6 after the batch norm) and none (a projection's batch norm, before the residual add). */
    static final float[][] OUTPUT_RANGES = {{0f, 6f}, {Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY}};

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

    /**
     * Convolutions with frozen batch norm (and ReLU6) in their output stage: GEMM v4, which fuses it, and v3, which
     * takes two steps on the device, against the CPU backend's two steps. {@link DepthwiseParityTest} does the same for
     * depthwise convolutions.
     */
    @Test
    void fusedOutputStagesMatchTheTwoSteps() {
        List<ConvGeometry> dense = new ArrayList<>(DENSE);
        dense.add(new ConvGeometry(2, 5, 7, 9, 1, 1, 1, 0, 0, 0, 0, 16)); // pointwise, n = 16: v4's one-vector tile
        dense.add(new ConvGeometry(1, 6, 6, 12, 1, 1, 1, 0, 0, 0, 0, 24)); // pointwise, a partial last vector
        for (float[] range : OUTPUT_RANGES) {
            for (ConvGeometry g : dense) fusedCase(t, g, false, range, "conv2d");
            // no fused stage: the device takes two steps
            t.raw.withVersion(OpenClBackend.GEMM, "v3_regblock", () -> {
                for (ConvGeometry g : dense.subList(dense.size() - 2, dense.size())) fusedCase(t, g, false, range, "conv2d v3");
            });
        }
    }

    /** A dense or depthwise convolution with the output stage clamp(y·scale + shift, range) on both backends. */
    static void fusedCase(Twins t, ConvGeometry g, boolean depthwise, float[] range, String what) {
        int c = g.cout();
        Twins.Pair x = t.random(g.inputSize()), y = t.random(g.outputSize());
        Twins.Pair w = t.random(depthwise ? (long) g.kh() * g.kw() * c : weights(g));
        // scales up to 3 push some outputs past the ReLU6 cap
        Twins.Pair scale = t.uniform(c, -0.5f, 3f), shift = t.uniform(c, -1f, 1f);
        if (depthwise) {
            t.run((b, s) -> b.depthwiseConv2dAffine(g, s.at(x), s.at(w), s.at(scale), s.at(shift), range[0], range[1], s.at(y)));
        } else {
            t.run((b, s) -> b.conv2dAffine(g, s.at(x), s.at(w), s.at(scale), s.at(shift), range[0], range[1], s.at(y)));
        }
        t.assertClose(y, what + " with output stage [" + range[0] + ", " + range[1] + "] " + g);
    }

    /**
     * A whole inverted-residual block: the CPU backend fuses it ({@code block} v3_blocked), the OpenCL backend runs it
     * in each of its versions, the layers one after the other (v1_layers) and one launch of block.cl (v2_fused, where
     * the expanded channels are whole vectors; the other shapes take v1's path). With and without expansion, stride 1
     * with the residual addition, stride 2 with Keras' (0,1,0,1) and with (1,1,1,1) padding, channel counts that are
     * and are not multiples of 16, batch 1 to 10, ReLU6 and plain ReLU. v2's own paths: an image cut into row ranges
     * of several strips whose window ring wraps (batch 1), more images than work-items, a projection to channels that
     * are not whole vectors, products in tiles of 7 rows (a 7×7 map). The output starts as NaN on both sides, so an element left unwritten fails.
     */
    @Test
    void invertedResidualBlocksMatchTheLayers() {
        List<InvertedResidual> shapes = List.of(
                new InvertedResidual(new ConvGeometry(2, 9, 7, 48, 3, 3, 1, 1, 1, 1, 1, 48), 8, 8, true, 6f, 6f, true),
                new InvertedResidual(new ConvGeometry(1, 14, 14, 30, 3, 3, 2, 0, 1, 0, 1, 30), 5, 24, true, 6f, 6f, false),
                new InvertedResidual(new ConvGeometry(3, 7, 9, 17, 3, 3, 1, 1, 1, 1, 1, 17), 17, 12, false,
                        Float.POSITIVE_INFINITY, 6f, false),
                new InvertedResidual(new ConvGeometry(2, 7, 7, 72, 3, 3, 2, 1, 1, 1, 1, 72), 12, 20, true,
                        6f, Float.POSITIVE_INFINITY, false),
                // whole vectors of expanded channels at stride 2, which v3_blocked lays out by vectors
                new InvertedResidual(new ConvGeometry(2, 14, 13, 64, 3, 3, 2, 0, 1, 0, 1, 64), 16, 24, true, 6f, 6f, false),
                new InvertedResidual(new ConvGeometry(1, 20, 15, 32, 3, 3, 1, 1, 1, 1, 1, 32), 16, 16, true, 6f, 6f, true),
                new InvertedResidual(new ConvGeometry(1, 30, 29, 48, 3, 3, 2, 0, 1, 0, 1, 48), 8, 24, true, 6f, 6f, false),
                new InvertedResidual(new ConvGeometry(2, 11, 9, 32, 3, 3, 1, 1, 1, 1, 1, 32), 32, 16, false, 6f, 6f, false),
                new InvertedResidual(new ConvGeometry(3, 9, 9, 64, 3, 3, 2, 1, 1, 1, 1, 64), 24, 20, true,
                        Float.POSITIVE_INFINITY, 6f, false),
                new InvertedResidual(new ConvGeometry(10, 3, 5, 16, 3, 3, 1, 1, 1, 1, 1, 16), 7, 7, true, 6f, 6f, true),
                // 7×7: tiles of 7 rows
                new InvertedResidual(new ConvGeometry(1, 7, 7, 32, 3, 3, 1, 1, 1, 1, 1, 32), 16, 16, true, 6f, 6f, true));
        for (String version : ClBlock.VERSIONS) {
            t.raw.withVersion(OpenClBackend.BLOCK, version, () -> {
                for (InvertedResidual shape : shapes) invertedResidualCase(shape, version);
            });
        }
    }

    /**
     * Once its weights are packed, a fused block is one launch: with and without expansion, the third call launches
     * block_v2_fused and nothing else (no packing again: a launch must not count as a write of the weights).
     */
    @Test
    void aFusedBlockIsOneLaunchOnceItsWeightsArePacked() {
        OpenClBackend cl = t.raw;
        for (InvertedResidual shape : List.of(
                new InvertedResidual(new ConvGeometry(1, 9, 7, 32, 3, 3, 1, 1, 1, 1, 1, 32), 8, 8, true, 6f, 6f, true),
                new InvertedResidual(new ConvGeometry(1, 9, 7, 32, 3, 3, 1, 1, 1, 1, 1, 32), 32, 16, false, 6f, 6f, false))) {
            ConvGeometry d = shape.depthwise();
            int ce = d.cin();
            boolean e = shape.expand();
            pinkcnn.engine.backend.Storage[] s = {cl.allocate((long) d.n() * d.h() * d.w() * shape.cin()),
                    e ? cl.allocate((long) shape.cin() * ce) : null, e ? cl.allocate(ce) : null, e ? cl.allocate(ce) : null,
                    cl.allocate(9L * ce), cl.allocate(ce), cl.allocate(ce), cl.allocate((long) ce * shape.cout()),
                    cl.allocate(shape.cout()), cl.allocate(shape.cout()), cl.allocate(shape.outputSize())};
            Runnable block = () -> cl.invertedResidual(shape, s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7], s[8], s[9], s[10]);
            block.run();
            block.run();
            assertEquals(List.of("block_v2_fused"), cl.profile(block).stream().map(KernelTime::kernel).toList(),
                    "third call of " + shape);
        }
    }

    private void invertedResidualCase(InvertedResidual shape, String version) {
        ConvGeometry d = shape.depthwise();
        int cin = shape.cin(), ce = d.cin(), cout = shape.cout();
        boolean e = shape.expand();
        // weights about 1/√fan-in, so that every layer's sums stay O(1)
        float eb = 1.7f / (float) Math.sqrt(cin), pb = 1.7f / (float) Math.sqrt(ce);
        Twins.Pair x = t.random((long) d.n() * d.h() * d.w() * cin);
        Twins.Pair we = e ? t.uniform((long) cin * ce, -eb, eb) : null;
        Twins.Pair es = e ? t.uniform(ce, 0.2f, 1.5f) : null, eh = e ? t.uniform(ce, -0.5f, 0.5f) : null;
        Twins.Pair wd = t.uniform(9L * ce, -0.6f, 0.6f), ds = t.uniform(ce, 0.2f, 1.5f), dh = t.uniform(ce, -0.5f, 0.5f);
        Twins.Pair wp = t.uniform((long) ce * cout, -pb, pb);
        Twins.Pair ps = t.uniform(cout, 0.5f, 2f), ph = t.uniform(cout, -1f, 1f);
        float[] nan = new float[Math.toIntExact(shape.outputSize())];
        java.util.Arrays.fill(nan, Float.NaN);
        Twins.Pair y = t.of(nan);
        t.run((b, s) -> b.invertedResidual(shape, s.at(x), e ? s.at(we) : null, e ? s.at(es) : null,
                e ? s.at(eh) : null, s.at(wd), s.at(ds), s.at(dh), s.at(wp), s.at(ps), s.at(ph), s.at(y)));
        t.assertClose(y, "invertedResidual " + version + " " + shape);
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
