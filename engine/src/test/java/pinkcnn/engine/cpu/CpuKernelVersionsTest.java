package pinkcnn.engine.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static pinkcnn.engine.testing.RandomTensors.gaussian;
import static pinkcnn.engine.testing.RandomTensors.uniform;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import pinkcnn.engine.backend.ConvGeometry;
import pinkcnn.engine.backend.InvertedResidual;
import pinkcnn.engine.backend.Storage;
import pinkcnn.engine.testing.Assertions2;

/**
 * The numbered kernel versions of the CPU backend ({@link CpuBackend#useVersion}) against each other and against
 * direct loops in double written here: {@code conv} v2_tiles, v3_packed and v4_wide against v1_gemm, {@code convgrad}
 * v1_gemm and v2_tiles, {@code depthwise} v2_rows
 * against v1_taps, {@code block} v2_fused and v3_blocked against v1_layers. The sizes aim at the new kernels' special
 * paths: rows left over after the last whole tile (up to three in one-row kernels, more copied into a padded tile),
 * output channels past the last whole panel of two vectors (a tail panel, or a single vector), channels past the last
 * vector in the depthwise kernel (scalar), images narrower than the 3×3 window (only edge columns, padding rows),
 * strips of output rows sharing expanded rows, and images cut into one range of rows per thread at a batch smaller
 * than the thread count. Large cases pass the backends' threshold for running in parallel.
 *
 * <p>Every output starts as NaN, so an element a kernel forgets to write fails. Tolerance 1e-4 absolute + 1e-4
 * relative: inputs and weights are scaled so that sums are O(1).
 */
class CpuKernelVersionsTest {
    private static final float INF = Float.POSITIVE_INFINITY;
    private static final double TOL = 1e-4;
    /** The backends under test, by thread count; each test sets the versions it compares. */
    private static final CpuBackend ONE = new CpuBackend(1), TWO = new CpuBackend(2), THREE = new CpuBackend(3);
    /** Output stages: none (the plain convolution), ReLU6 after a batch norm, a batch norm alone (a projection). */
    private static final float[][] STAGES = {null, {0f, 6f}, {Float.NEGATIVE_INFINITY, INF}};

    @AfterAll
    static void close() {
        ONE.close();
        TWO.close();
        THREE.close();
    }

    // ---- conv: v2_tiles, v3_packed and v4_wide against v1_gemm ------------------------------------------------------

    /**
     * 1×1 convolutions (a product over n·h·w pixel rows): every row count around the 6- and 12-row tiles and the
     * 96-row blocks, every output channel count around the 32-channel panels (tail panels of 1, 5, 8, 17 and 24, a
     * single 16-wide vector, whole panels, and wide panels followed by each; 64, 112 and 160, where v4_wide ends on a
     * four-vector panel), short and long k.
     */
    @Test
    void pointwiseConvolutionsAgree() {
        Failures f = new Failures();
        Random rnd = new Random(1);
        int[][] rowShapes = {{1, 1, 1}, {1, 1, 5}, {2, 1, 3}, {1, 7, 1}, {1, 13, 1}, {1, 7, 7}, {1, 97, 1}, {2, 10, 10}};
        for (int[] r : rowShapes)
            for (int cin : new int[] {1, 3, 16, 27, 144})
                for (int cout : new int[] {1, 5, 8, 16, 17, 24, 32, 40, 48, 64, 96, 112, 160})
                    convCase(f, new ConvGeometry(r[0], r[1], r[2], cin, 1, 1, 1, 0, 0, 0, 0, cout), rnd);
        // past the threshold for parallel products: row blocks and panels over the threads
        convCase(f, new ConvGeometry(1, 25, 40, 144, 1, 1, 1, 0, 0, 0, 0, 96), rnd);
        convCase(f, new ConvGeometry(2, 25, 22, 144, 1, 1, 1, 0, 0, 0, 0, 56), rnd);
        convCase(f, new ConvGeometry(3, 20, 20, 144, 1, 1, 1, 0, 0, 0, 0, 48), rnd);
        convCase(f, new ConvGeometry(1, 50, 61, 144, 1, 1, 1, 0, 0, 0, 0, 24), rnd);
        convCase(f, new ConvGeometry(2, 14, 14, 96, 1, 1, 1, 0, 0, 0, 0, 160), rnd);
        f.assertNone();
    }

    /**
     * 3×3 convolutions through im2col: stride 1 'same', stride 2 with (0,1,0,1) and (1,1,1,1) padding, images
     * smaller than the window, and a 1×1 stride 2 (not a plain product); large ones run in parallel strips, and one
     * is wider than a strip of 256 pixels.
     */
    @Test
    void windowedConvolutionsAgree() {
        Failures f = new Failures();
        Random rnd = new Random(2);
        int[][] pads = {null, {0, 1, 0, 1}, {1, 1, 1, 1}};
        int[][] sizes = {{7, 9}, {8, 8}, {2, 3}, {1, 1}, {4, 6}};
        for (int[] pad : pads)
            for (int[] hw : sizes)
                for (int n : new int[] {1, 2})
                    for (int cin : new int[] {3, 5})
                        for (int cout : new int[] {8, 17, 32, 40}) {
                            ConvGeometry g = pad == null
                                    ? ConvGeometry.of(n, hw[0], hw[1], cin, 3, 1, "same", cout)
                                    : geometry(n, hw[0], hw[1], cin, 3, 2, pad, cout);
                            if (g != null) convCase(f, g, rnd);
                        }
        convCase(f, new ConvGeometry(2, 9, 8, 7, 1, 1, 2, 0, 0, 0, 0, 24), rnd);
        // a padded 1×1 convolution, a non-square kernel, stride 3
        convCase(f, new ConvGeometry(1, 5, 4, 3, 1, 1, 1, 1, 1, 1, 1, 17), rnd);
        convCase(f, new ConvGeometry(2, 9, 8, 6, 2, 3, 2, 1, 0, 2, 1, 5), rnd);
        convCase(f, new ConvGeometry(1, 10, 11, 4, 3, 3, 3, 1, 1, 1, 1, 33), rnd);
        convCase(f, ConvGeometry.of(2, 64, 64, 5, 3, 1, "same", 40), rnd);
        convCase(f, geometry(2, 224, 224, 3, 3, 2, new int[] {0, 1, 0, 1}, 32), rnd);
        // 32 output channels from 3 at stride 2: runs of six pixels read straight from the image (odd widths, padding on
        // both sides, a 5×5 window too); at stride 1 unfolded
        convCase(f, geometry(2, 21, 39, 3, 3, 2, new int[] {1, 1, 1, 1}, 32), rnd);
        convCase(f, geometry(1, 17, 43, 3, 5, 2, new int[] {2, 2, 2, 2}, 32), rnd);
        convCase(f, ConvGeometry.of(2, 20, 19, 4, 3, 1, "same", 32), rnd);
        convCase(f, ConvGeometry.of(1, 12, 21, 3, 5, 1, "same", 32), rnd);
        convCase(f, geometry(1, 3, 600, 3, 3, 2, new int[] {1, 1, 1, 1}, 17), rnd);
        f.assertNone();
    }

    /** One convolution, each output stage, 1 and 3 threads: every version against the loops and the one before. */
    private static void convCase(Failures f, ConvGeometry g, Random rnd) {
        int k = g.kh() * g.kw() * g.cin(), cout = g.cout();
        float[] x = gaussian(rnd, (int) g.inputSize(), 1f), w = gaussian(rnd, k * cout, (float) (1 / Math.sqrt(k)));
        // scales up to 3 push outputs past the cap of 6 and shifts below 0
        float[] scale = uniform(rnd, cout, -0.5f, 3f), shift = uniform(rnd, cout, -1f, 1f);
        double[] plain = conv(g, toDouble(x), w);
        for (float[] st : STAGES) {
            double[] ref = st == null ? plain : affine(plain.clone(), cout, scale, shift, st[0], st[1]);
            for (CpuBackend b : new CpuBackend[] {ONE, THREE}) {
                String what = "conv " + g + " stage " + stage(st) + ", " + b.threads() + " threads";
                f.run(what, () -> {
                    float[] v1 = conv(b, "v1_gemm", g, x, w, st, scale, shift);
                    float[] v2 = conv(b, "v2_tiles", g, x, w, st, scale, shift);
                    float[] v3 = conv(b, "v3_packed", g, x, w, st, scale, shift);
                    float[] v4 = conv(b, "v4_wide", g, x, w, st, scale, shift);
                    f.check(ref, v1, what + ": v1_gemm against the loops");
                    f.check(ref, v2, what + ": v2_tiles against the loops");
                    f.check(ref, v3, what + ": v3_packed against the loops");
                    f.check(toDouble(v1), v2, what + ": v2_tiles against v1_gemm");
                    f.check(toDouble(v2), v3, what + ": v3_packed against v2_tiles");
                    f.check(ref, v4, what + ": v4_wide against the loops");
                    f.check(toDouble(v2), v4, what + ": v4_wide against v2_tiles");
                });
            }
        }
    }

    private static float[] conv(CpuBackend b, String version, ConvGeometry g, float[] x, float[] w, float[] st,
                                float[] scale, float[] shift) {
        b.useVersion(CpuBackend.CONV, version);
        try (Args a = new Args(b)) {
            Storage y = a.out(g.outputSize());
            if (st == null) b.conv2d(g, a.in(x), a.in(w), y);
            else b.conv2dAffine(g, a.in(x), a.in(w), a.in(scale), a.in(shift), st[0], st[1], y);
            return a.read(y);
        }
    }

    // ---- convgrad: v2_tiles against v1_gemm ------------------------------------------------------------------------

    /**
     * The 1×1 convolutions' gradients, dx += dy·Wᵀ and dW += xᵀ·dy, from random (not zero) dx and dW so that "adds
     * into" is checked: fewer and more input than output channels (v2 transposes the operand with fewer channels),
     * channel counts with tails past whole panels, rows around the tiles, and sizes past the parallel threshold.
     */
    @Test
    void pointwiseGradientsAgree() {
        Failures f = new Failures();
        Random rnd = new Random(4);
        int[][] shapes = {{1, 1, 1, 3, 5}, {1, 7, 1, 16, 24}, {2, 5, 3, 40, 17}, {1, 13, 1, 96, 32}, {2, 10, 10, 24, 144},
                {2, 14, 14, 144, 24}, {1, 20, 20, 96, 160}};
        for (int[] sh : shapes) {
            ConvGeometry g = new ConvGeometry(sh[0], sh[1], sh[2], sh[3], 1, 1, 1, 0, 0, 0, 0, sh[4]);
            int rows = sh[0] * sh[1] * sh[2], cin = sh[3], cout = sh[4];
            float[] x = gaussian(rnd, rows * cin, 1f), dy = gaussian(rnd, rows * cout, 1f);
            float[] w = gaussian(rnd, cin * cout, (float) (1 / Math.sqrt(cout)));
            float[] dx0 = gaussian(rnd, rows * cin, 1f), dw0 = gaussian(rnd, cin * cout, 1f);
            double[] dxRef = toDouble(dx0), dwRef = toDouble(dw0);
            for (int r = 0; r < rows; r++) {
                for (int i = 0; i < cin; i++) {
                    double sum = 0;
                    for (int o = 0; o < cout; o++) sum += (double) dy[r * cout + o] * w[i * cout + o];
                    dxRef[r * cin + i] += sum;
                }
            }
            double scale = 1.0 / Math.sqrt(rows); // dW sums over the rows: compare at O(1)
            for (int i = 0; i < cin; i++) {
                for (int o = 0; o < cout; o++) {
                    double sum = 0;
                    for (int r = 0; r < rows; r++) sum += (double) x[r * cin + i] * dy[r * cout + o];
                    dwRef[i * cout + o] = (dwRef[i * cout + o] + sum) * scale;
                }
            }
            for (CpuBackend b : new CpuBackend[] {ONE, THREE}) {
                for (String version : b.versions(CpuBackend.CONV_GRAD)) {
                    String what = "convgrad " + version + " " + g + ", " + b.threads() + " threads";
                    f.run(what, () -> {
                        b.useVersion(CpuBackend.CONV_GRAD, version);
                        try (Args a = new Args(b)) {
                            Storage dx = a.in(dx0), dw = a.in(dw0);
                            b.conv2dInputGrad(g, a.in(dy), a.in(w), dx);
                            b.conv2dWeightGrad(g, a.in(x), a.in(dy), dw);
                            f.check(dxRef, a.read(dx), what + ": dx against the loops");
                            float[] dwScaled = a.read(dw);
                            for (int j = 0; j < dwScaled.length; j++) dwScaled[j] *= (float) scale;
                            f.check(dwRef, dwScaled, what + ": dW against the loops");
                        } finally {
                            b.useVersion(CpuBackend.CONV_GRAD, "v2_tiles");
                        }
                    });
                }
            }
        }
        f.assertNone();
    }

    // ---- depthwise: v2_rows against v1_taps -------------------------------------------------------------------------

    /**
     * 3×3 depthwise convolutions on every small size (narrower and shorter than the window, non-square), channel
     * counts with and without a scalar tail, stride 1 'same' and 'valid', stride 2 with (0,1,0,1), (1,1,1,1) and no
     * padding, batch 1 and 2, with and without the output stage, on 1 and 3 threads.
     */
    @Test
    void depthwiseConvolutionsAgree() {
        Failures f = new Failures();
        Random rnd = new Random(3);
        int[] sizes = {1, 2, 3, 4, 7, 8};
        int[][] pads = {{1, 1, 1, 1}, {0, 0, 0, 0}, {0, 1, 0, 1}, {1, 1, 1, 1}, {0, 0, 0, 0}};
        int[] strides = {1, 1, 2, 2, 2};
        for (int h : sizes)
            for (int w : sizes)
                for (int c : new int[] {1, 5, 16, 17, 40})
                    for (int p = 0; p < pads.length; p++)
                        for (int n : new int[] {1, 2}) {
                            ConvGeometry g = geometry(n, h, w, c, 3, strides[p], pads[p], c);
                            if (g != null) depthwiseCase(f, g, rnd);
                        }
        // stride 3, padding wider than a tap, one-sided padding
        for (int[] hw : new int[][] {{1, 1}, {4, 5}, {8, 7}, {10, 10}}) {
            for (int c : new int[] {5, 16, 33}) {
                depthwiseCase(f, geometry(1, hw[0], hw[1], c, 3, 3, new int[] {1, 1, 1, 1}, c), rnd);
                depthwiseCase(f, geometry(2, hw[0], hw[1], c, 3, 1, new int[] {2, 2, 2, 2}, c), rnd);
                depthwiseCase(f, geometry(1, hw[0], hw[1], c, 3, 2, new int[] {2, 0, 0, 2}, c), rnd);
            }
        }
        // past the threshold for parallel rows
        depthwiseCase(f, ConvGeometry.of(2, 56, 56, 40, 3, 1, "same", 40), rnd);
        depthwiseCase(f, geometry(2, 57, 56, 17, 3, 2, new int[] {1, 1, 0, 1}, 17), rnd);
        f.assertNone();
    }

    private static void depthwiseCase(Failures f, ConvGeometry g, Random rnd) {
        int c = g.cin();
        float[] x = gaussian(rnd, (int) g.inputSize(), 1f), w = gaussian(rnd, 9 * c, 1f / 3);
        float[] scale = uniform(rnd, c, -0.5f, 3f), shift = uniform(rnd, c, -1f, 1f);
        double[] plain = depthwise(g, toDouble(x), w);
        for (float[] st : STAGES) {
            double[] ref = st == null ? plain : affine(plain.clone(), c, scale, shift, st[0], st[1]);
            for (CpuBackend b : new CpuBackend[] {ONE, THREE}) {
                String what = "depthwise " + g + " stage " + stage(st) + ", " + b.threads() + " threads";
                f.run(what, () -> {
                    float[] v1 = depthwise(b, "v1_taps", g, x, w, st, scale, shift);
                    float[] v2 = depthwise(b, "v2_rows", g, x, w, st, scale, shift);
                    f.check(ref, v1, what + ": v1_taps against the loops");
                    f.check(ref, v2, what + ": v2_rows against the loops");
                    f.check(toDouble(v1), v2, what + ": v2_rows against v1_taps");
                });
            }
        }
    }

    private static float[] depthwise(CpuBackend b, String version, ConvGeometry g, float[] x, float[] w, float[] st,
                                     float[] scale, float[] shift) {
        b.useVersion(CpuBackend.DEPTHWISE, version);
        try (Args a = new Args(b)) {
            Storage y = a.out(g.outputSize());
            if (st == null) b.depthwiseConv2d(g, a.in(x), a.in(w), y);
            else b.depthwiseConv2dAffine(g, a.in(x), a.in(w), a.in(scale), a.in(shift), st[0], st[1], y);
            return a.read(y);
        }
    }

    // ---- block: v2_fused and v3_blocked against v1_layers ---------------------------------------------------------

    /** A block's configuration apart from the image: channels, stride and padding of the depthwise convolution. */
    private record Shape(int cin, int expanded, int cout, boolean expand, int k, int stride, int[] pad, boolean residual) {
        InvertedResidual on(int n, int h, int w, float expandCap, float depthwiseCap) {
            ConvGeometry d = geometry(n, h, w, expanded, k, stride, pad, expanded);
            return d == null ? null : new InvertedResidual(d, cin, cout, expand, expandCap, depthwiseCap, residual);
        }
    }

    private static final int[] SAME3 = {1, 1, 1, 1}, KERAS_S2 = {0, 1, 0, 1};

    /**
     * Blocks with and without expansion, stride 1 with the residual addition, stride 2 with (0,1,0,1) and (1,1,1,1)
     * padding, channel counts that are not multiples of a vector, images from 1×1 to 14×14 and 120 pixels wide (one
     * output row per strip), batch 1 to 3 on 1, 2 and 3 threads (an image cut into ranges of rows), ReLU6 and plain
     * ReLU caps.
     */
    @Test
    void fusedBlocksAgreeWithTheLayers() {
        Failures f = new Failures();
        Random rnd = new Random(4);
        List<Shape> shapes = List.of(
                new Shape(5, 30, 5, true, 3, 1, SAME3, true),
                new Shape(5, 7, 24, true, 3, 2, KERAS_S2, false),
                new Shape(30, 30, 24, false, 3, 1, SAME3, false),
                new Shape(7, 7, 5, false, 3, 2, SAME3, false),
                new Shape(16, 96, 16, true, 3, 1, SAME3, true),
                new Shape(24, 144, 32, true, 3, 2, KERAS_S2, false),
                new Shape(17, 17, 17, false, 3, 1, SAME3, true),
                // one input channel; 'valid' at stride 1 and 2; padding only at the top and left, or two rows wide
                new Shape(1, 6, 3, true, 3, 1, new int[] {0, 0, 0, 0}, false),
                new Shape(8, 48, 8, true, 3, 2, new int[] {0, 0, 0, 0}, false),
                new Shape(6, 20, 9, true, 3, 2, new int[] {1, 0, 1, 0}, false),
                new Shape(9, 33, 9, true, 3, 1, new int[] {2, 0, 2, 0}, true),
                new Shape(4, 18, 4, true, 3, 1, new int[] {2, 2, 2, 2}, false),
                // the same paddings on whole vectors of expanded channels, which v3_blocked lays out by vectors
                new Shape(3, 32, 9, true, 3, 1, new int[] {0, 0, 0, 0}, false),
                new Shape(6, 32, 9, true, 3, 2, new int[] {1, 0, 1, 0}, false),
                new Shape(9, 48, 9, true, 3, 1, new int[] {2, 0, 2, 0}, true),
                new Shape(4, 16, 4, true, 3, 1, new int[] {2, 2, 2, 2}, false),
                new Shape(5, 64, 7, true, 3, 2, SAME3, false),
                // no expansion on whole vectors: v3_blocked reads the input rows channels last, as v2_fused
                new Shape(32, 32, 32, false, 3, 1, SAME3, true),
                new Shape(16, 16, 24, false, 3, 2, KERAS_S2, false));
        int[][] sizes = {{1, 1}, {3, 3}, {7, 7}, {9, 6}, {14, 14}, {7, 120}, {2, 50}};
        float[][] caps = {{6f, 6f}, {INF, INF}, {6f, INF}};
        for (Shape s : shapes)
            for (int[] hw : sizes)
                for (int n = 1; n <= 3; n++)
                    for (int c = 0; c < caps.length; c++) {
                        // every cap on one size, the others with ReLU6 only: the caps do not depend on the size
                        if (c > 0 && hw[0] != 7) continue;
                        InvertedResidual b = s.on(n, hw[0], hw[1], caps[c][0], caps[c][1]);
                        if (b != null) blockCase(f, b, rnd);
                    }
        f.assertNone();
    }

    /**
     * Large enough to run in parallel: images cut into one range of rows per thread, or one image per thread; and
     * MobileNetV2's own shapes.
     */
    @Test
    void largeFusedBlocksAgreeWithTheLayers() {
        Failures f = new Failures();
        Random rnd = new Random(5);
        for (int n = 1; n <= 3; n++) {
            blockCase(f, new Shape(16, 96, 24, true, 3, 1, SAME3, false).on(n, 56, 56, 6f, 6f), rnd);
            blockCase(f, new Shape(16, 96, 24, true, 3, 2, KERAS_S2, false).on(n, 56, 56, 6f, 6f), rnd);
            blockCase(f, new Shape(17, 102, 17, true, 3, 1, SAME3, true).on(n, 44, 45, 6f, 6f), rnd);
        }
        // MobileNetV2's block 0 (no expansion) and later blocks at 224×224 input, batch 1 and 2: long k, 7×7 images cut
        // into three ranges of rows
        for (int n = 1; n <= 2; n++) {
            blockCase(f, new Shape(32, 32, 16, false, 3, 1, SAME3, false).on(n, 112, 112, 6f, 6f), rnd);
            blockCase(f, new Shape(160, 960, 160, true, 3, 1, SAME3, true).on(n, 7, 7, 6f, 6f), rnd);
            blockCase(f, new Shape(96, 576, 160, true, 3, 2, KERAS_S2, false).on(n, 14, 14, 6f, 6f), rnd);
            blockCase(f, new Shape(32, 192, 64, true, 3, 2, KERAS_S2, false).on(n, 28, 28, 6f, 6f), rnd);
        }
        f.assertNone();
    }

    /**
     * The new kernels on 2 and 3 threads, run again and again, give what they give on one thread: each thread must
     * work in buffers of its own (the fused block's window and row buffer per chunk, the tiles' padded rows per
     * thread). A race shows only now and then, hence the repetitions; the sizes are past the parallel thresholds.
     */
    @Test
    void repeatedParallelRunsGiveTheOneThreadResult() {
        Failures f = new Failures();
        Random rnd = new Random(7);
        ConvGeometry pointwise = new ConvGeometry(1, 25, 41, 144, 1, 1, 1, 0, 0, 0, 0, 56);
        ConvGeometry windowed = geometry(2, 64, 63, 5, 3, 2, new int[] {1, 1, 0, 1}, 40);
        ConvGeometry dw = ConvGeometry.of(2, 56, 56, 40, 3, 1, "same", 40);
        List<InvertedResidual> blocks = List.of(
                new Shape(16, 96, 24, true, 3, 1, SAME3, false).on(1, 56, 56, 6f, 6f),
                new Shape(16, 96, 24, true, 3, 2, KERAS_S2, false).on(3, 56, 56, 6f, 6f));
        for (int rep = 0; rep < 10; rep++) {
            for (ConvGeometry g : List.of(pointwise, windowed)) repeatCase(f, g, false, rnd);
            repeatCase(f, dw, true, rnd);
            for (InvertedResidual b : blocks) {
                float[] x = gaussian(rnd, Math.toIntExact(b.depthwise().inputSize() / b.depthwise().cin() * b.cin()), 1f);
                float[][] wts = blockWeights(b, rnd);
                float[] one = block(ONE, "v4_wide", "v2_rows", "v3_blocked", b, x, wts);
                for (CpuBackend cpu : new CpuBackend[] {TWO, THREE}) {
                    f.check(toDouble(one), block(cpu, "v4_wide", "v2_rows", "v3_blocked", b, x, wts),
                            "block " + b + " on " + cpu.threads() + " threads, repetition " + rep);
                }
            }
        }
        f.assertNone();
    }

    private static void repeatCase(Failures f, ConvGeometry g, boolean depthwise, Random rnd) {
        int c = g.cout(), k = g.kh() * g.kw() * g.cin();
        float[] x = gaussian(rnd, (int) g.inputSize(), 1f);
        float[] w = gaussian(rnd, depthwise ? g.kh() * g.kw() * c : k * c, (float) (1 / Math.sqrt(k)));
        float[] scale = uniform(rnd, c, -0.5f, 3f), shift = uniform(rnd, c, -1f, 1f), st = {0f, 6f};
        float[] one = depthwise ? depthwise(ONE, "v2_rows", g, x, w, st, scale, shift)
                : conv(ONE, "v4_wide", g, x, w, st, scale, shift);
        for (CpuBackend cpu : new CpuBackend[] {TWO, THREE}) {
            float[] many = depthwise ? depthwise(cpu, "v2_rows", g, x, w, st, scale, shift)
                    : conv(cpu, "v4_wide", g, x, w, st, scale, shift);
            f.check(toDouble(one), many, (depthwise ? "depthwise " : "conv ") + g + " on " + cpu.threads() + " threads");
        }
    }

    /** Depthwise kernels other than 3×3 run the layers under v2_fused too; the result must not change. */
    @Test
    void blocksWithOtherKernelsFallBackToTheLayers() {
        Failures f = new Failures();
        Random rnd = new Random(6);
        for (int n = 1; n <= 2; n++) {
            blockCase(f, new Shape(5, 30, 5, true, 5, 1, new int[] {2, 2, 2, 2}, true).on(n, 9, 6, 6f, 6f), rnd);
            blockCase(f, new Shape(8, 40, 12, true, 5, 2, new int[] {1, 2, 1, 2}, false).on(n, 14, 14, 6f, INF), rnd);
            blockCase(f, new Shape(17, 17, 9, false, 5, 1, new int[] {2, 2, 2, 2}, false).on(n, 7, 7, 6f, 6f), rnd);
        }
        f.assertNone();
    }

    /**
     * One block on 1, 2 and 3 threads: v3_blocked, v2_fused, and v1_layers on the newest and on the oldest convolution
     * and depthwise kernels, against the loops; the fused versions against the oldest layers.
     */
    private static void blockCase(Failures f, InvertedResidual b, Random rnd) {
        ConvGeometry d = b.depthwise();
        float[] x = gaussian(rnd, d.n() * d.h() * d.w() * b.cin(), 1f);
        float[][] wts = blockWeights(b, rnd);
        double[] ref = block(b, x, wts);
        for (CpuBackend cpu : new CpuBackend[] {ONE, TWO, THREE}) {
            String what = "block " + b + ", " + cpu.threads() + " threads";
            f.run(what, () -> {
                float[] blocked = block(cpu, "v4_wide", "v2_rows", "v3_blocked", b, x, wts);
                float[] fused = block(cpu, "v4_wide", "v2_rows", "v2_fused", b, x, wts);
                float[] unpacked = block(cpu, "v2_tiles", "v2_rows", "v2_fused", b, x, wts);
                float[] layers = block(cpu, "v4_wide", "v2_rows", "v1_layers", b, x, wts);
                float[] oldest = block(cpu, "v1_gemm", "v1_taps", "v1_layers", b, x, wts);
                f.check(ref, blocked, what + ": v3_blocked against the loops");
                f.check(ref, fused, what + ": v2_fused against the loops");
                f.check(ref, unpacked, what + ": v2_fused on v2_tiles against the loops");
                f.check(ref, layers, what + ": v1_layers (newest kernels) against the loops");
                f.check(ref, oldest, what + ": v1_layers (oldest kernels) against the loops");
                f.check(toDouble(oldest), fused, what + ": v2_fused against v1_layers");
                f.check(toDouble(oldest), blocked, what + ": v3_blocked against v1_layers");
            });
        }
    }

    /** Expansion kernel, scale, shift (null without expansion); depthwise kernel, scale, shift; projection's. */
    private static float[][] blockWeights(InvertedResidual b, Random rnd) {
        ConvGeometry d = b.depthwise();
        int cin = b.cin(), ce = d.cin(), cout = b.cout(), taps = d.kh() * d.kw();
        boolean e = b.expand();
        return new float[][] {
                e ? gaussian(rnd, cin * ce, (float) (1 / Math.sqrt(cin))) : null,
                e ? uniform(rnd, ce, 0.2f, 1.5f) : null, e ? uniform(rnd, ce, -0.5f, 0.5f) : null,
                gaussian(rnd, taps * ce, (float) (1 / Math.sqrt(taps))), uniform(rnd, ce, 0.2f, 1.5f),
                uniform(rnd, ce, -0.5f, 0.5f),
                gaussian(rnd, ce * cout, (float) (1 / Math.sqrt(ce))), uniform(rnd, cout, 0.5f, 2f),
                uniform(rnd, cout, -1f, 1f)};
    }

    private static float[] block(CpuBackend cpu, String conv, String depthwise, String block, InvertedResidual b,
                                 float[] x, float[][] wts) {
        cpu.useVersion(CpuBackend.CONV, conv);
        cpu.useVersion(CpuBackend.DEPTHWISE, depthwise);
        cpu.useVersion(CpuBackend.BLOCK, block);
        try (Args a = new Args(cpu)) {
            Storage y = a.out(b.outputSize());
            cpu.invertedResidual(b, a.in(x), a.in(wts[0]), a.in(wts[1]), a.in(wts[2]), a.in(wts[3]), a.in(wts[4]),
                    a.in(wts[5]), a.in(wts[6]), a.in(wts[7]), a.in(wts[8]), y);
            assertEquals(block, cpu.version(CpuBackend.BLOCK));
            return a.read(y);
        } finally {
            cpu.useVersion(CpuBackend.CONV, "v4_wide");
            cpu.useVersion(CpuBackend.DEPTHWISE, "v2_rows");
            cpu.useVersion(CpuBackend.BLOCK, "v3_blocked");
        }
    }

    /**
     * Which blocks the fused versions run themselves: v2_fused all at batch 1; at batch 2 not those whose images are
     * one strip each at stride 1 (7×7 → 7×7), but those at stride 2 (MobileNetV2's block 13, 14×14 → 7×7); v3_blocked
     * all of them; neither other kernel sizes.
     */
    @Test
    void fusedBlocksLeaveOneStripImagesAtStride1ToTheLayersInVersion2() {
        Shape same7 = new Shape(160, 960, 160, true, 3, 1, SAME3, true), down14 = new Shape(96, 576, 160, true, 3, 2,
                KERAS_S2, false), five = new Shape(8, 40, 12, true, 5, 2, new int[] {1, 2, 1, 2}, false);
        assertTrue(CpuInvertedResidual.handles(same7.on(1, 7, 7, 6f, 6f), false));
        assertFalse(CpuInvertedResidual.handles(same7.on(2, 7, 7, 6f, 6f), false));
        assertTrue(CpuInvertedResidual.handles(down14.on(2, 14, 14, 6f, 6f), false));
        assertTrue(CpuInvertedResidual.handles(same7.on(2, 28, 28, 6f, 6f), false));
        assertFalse(CpuInvertedResidual.handles(five.on(1, 14, 14, 6f, 6f), false));
        assertTrue(CpuInvertedResidual.handles(same7.on(2, 7, 7, 6f, 6f), true));
        assertTrue(CpuInvertedResidual.handles(same7.on(32, 7, 7, 6f, 6f), true));
        assertFalse(CpuInvertedResidual.handles(five.on(2, 14, 14, 6f, 6f), true));
    }

    /**
     * v3_packed and v4_wide keep a kernel packed from one call to the next, and drop the packed copy whenever its
     * storage is handed out: new weights written through {@code write} or through the array itself must show in the
     * next call, of a block and of a 1×1 convolution. Switching between the two versions packs again.
     */
    @Test
    void packedKernelsFollowWritesToTheirStorage() {
        Failures f = new Failures();
        Random rnd = new Random(9);
        InvertedResidual b = new Shape(16, 40, 24, true, 3, 1, SAME3, false).on(1, 14, 14, 6f, 6f);
        ConvGeometry pointwise = new ConvGeometry(1, 14, 14, 40, 1, 1, 1, 0, 0, 0, 0, 24);
        try (CpuBackend cpu = new CpuBackend(1); Args a = new Args(cpu)) {
            float[] x = gaussian(rnd, 14 * 14 * 16, 1f);
            float[][] wts = blockWeights(b, rnd);
            Storage[] s = new Storage[wts.length];
            for (int i = 0; i < wts.length; i++) s[i] = a.in(wts[i]);
            Storage xs = a.in(x), y = a.out(b.outputSize());
            for (int round = 0; round < 4; round++) {
                cpu.invertedResidual(b, xs, s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7], s[8], y);
                f.check(block(b, x, wts), a.read(y), "block, round " + round);
                if (round == 1) {
                    wts[0] = gaussian(rnd, wts[0].length, 0.25f);
                    cpu.write(s[0], 0, wts[0], 0, wts[0].length);
                } else if (round == 2) {
                    float[] in = CpuBackend.array(s[6]);
                    for (int i = 0; i < in.length; i++) in[i] = wts[6][i] = -wts[6][i];
                }
            }
            float[] px = gaussian(rnd, (int) pointwise.inputSize(), 1f), pw = gaussian(rnd, 40 * 24, 0.2f);
            Storage pxs = a.in(px), pws = a.in(pw), py = a.out(pointwise.outputSize());
            for (int round = 0; round < 3; round++) {
                cpu.conv2d(pointwise, pxs, pws, py);
                f.check(conv(pointwise, toDouble(px), pw), a.read(py), "1×1 convolution, round " + round);
                pw = gaussian(rnd, pw.length, 0.2f);
                cpu.write(pws, 0, pw, 0, pw.length);
            }
            ConvGeometry wide = new ConvGeometry(1, 7, 7, 40, 1, 1, 1, 0, 0, 0, 0, 64);
            float[] ww = gaussian(rnd, 40 * 64, 0.2f);
            Storage wws = a.in(ww), wy = a.out(wide.outputSize());
            for (int round = 0; round < 4; round++) {
                String version = round % 2 == 0 ? "v4_wide" : "v3_packed";
                cpu.useVersion(CpuBackend.CONV, version);
                cpu.conv2d(wide, pxs, wws, wy);
                f.check(conv(wide, toDouble(px), ww), a.read(wy), "1×1 convolution to 64 on " + version + ", round " + round);
            }
            cpu.useVersion(CpuBackend.CONV, "v4_wide");
        }
        f.assertNone();
    }

    @Test
    void versionsAreListedOldestFirstAndTheNewestRunsByDefault() {
        try (CpuBackend cpu = new CpuBackend(1)) {
            assertEquals(List.of("v1_gemm", "v2_tiles", "v3_packed", "v4_wide"), cpu.versions(CpuBackend.CONV));
            assertEquals(List.of("v1_taps", "v2_rows"), cpu.versions(CpuBackend.DEPTHWISE));
            assertEquals(List.of("v1_layers", "v2_fused", "v3_blocked"), cpu.versions(CpuBackend.BLOCK));
            for (String family : List.of(CpuBackend.CONV, CpuBackend.DEPTHWISE, CpuBackend.BLOCK)) {
                List<String> versions = cpu.versions(family);
                assertEquals(versions.get(versions.size() - 1), cpu.version(family), family);
                cpu.useVersion(family, cpu.versions(family).get(0));
                assertEquals(cpu.versions(family).get(0), cpu.version(family), family);
            }
        }
    }

    // ---- the loops, in double -------------------------------------------------------------------------------------

    /** y[n,oh,ow,co] = Σ x[n, oh·s+i−pt, ow·s+j−pl, ci]·w[i,j,ci,co], zero outside the input. */
    static double[] conv(ConvGeometry g, double[] x, float[] w) {
        int cin = g.cin(), cout = g.cout(), oh_ = g.outH(), ow_ = g.outW();
        double[] y = new double[(int) g.outputSize()];
        for (int n = 0; n < g.n(); n++)
            for (int oh = 0; oh < oh_; oh++)
                for (int ow = 0; ow < ow_; ow++) {
                    int yb = ((n * oh_ + oh) * ow_ + ow) * cout;
                    for (int i = 0; i < g.kh(); i++)
                        for (int j = 0; j < g.kw(); j++) {
                            int ih = oh * g.stride() + i - g.padTop(), iw = ow * g.stride() + j - g.padLeft();
                            if (ih < 0 || ih >= g.h() || iw < 0 || iw >= g.w()) continue;
                            for (int ci = 0; ci < cin; ci++) {
                                double v = x[((n * g.h() + ih) * g.w() + iw) * cin + ci];
                                int wb = ((i * g.kw() + j) * cin + ci) * cout;
                                for (int co = 0; co < cout; co++) y[yb + co] += v * w[wb + co];
                            }
                        }
                }
        return y;
    }

    /** y[n,oh,ow,c] = Σ x[n, oh·s+i−pt, ow·s+j−pl, c]·w[i,j,c], zero outside the input. */
    static double[] depthwise(ConvGeometry g, double[] x, float[] w) {
        int c = g.cin(), oh_ = g.outH(), ow_ = g.outW();
        double[] y = new double[(int) g.outputSize()];
        for (int n = 0; n < g.n(); n++)
            for (int oh = 0; oh < oh_; oh++)
                for (int ow = 0; ow < ow_; ow++)
                    for (int i = 0; i < g.kh(); i++)
                        for (int j = 0; j < g.kw(); j++) {
                            int ih = oh * g.stride() + i - g.padTop(), iw = ow * g.stride() + j - g.padLeft();
                            if (ih < 0 || ih >= g.h() || iw < 0 || iw >= g.w()) continue;
                            for (int ch = 0; ch < c; ch++) {
                                y[((n * oh_ + oh) * ow_ + ow) * c + ch] +=
                                        x[((n * g.h() + ih) * g.w() + iw) * c + ch] * w[(i * g.kw() + j) * c + ch];
                            }
                        }
        return y;
    }

    /** y = min(max(y·scale[c] + shift[c], lo), hi) in place. */
    static double[] affine(double[] y, int c, float[] scale, float[] shift, float lo, float hi) {
        for (int i = 0; i < y.length; i++) y[i] = Math.min(Math.max(y[i] * scale[i % c] + shift[i % c], lo), hi);
        return y;
    }

    /** The block layer by layer: wts = expand, its scale, shift; depthwise, scale, shift; project, scale, shift. */
    static double[] block(InvertedResidual b, float[] x, float[][] wts) {
        ConvGeometry d = b.depthwise();
        double[] t = toDouble(x);
        if (b.expand()) t = affine(conv(b.expansion(), t, wts[0]), d.cin(), wts[1], wts[2], 0f, b.expandCap());
        t = affine(depthwise(d, t, wts[3]), d.cin(), wts[4], wts[5], 0f, b.depthwiseCap());
        t = affine(conv(b.projection(), t, wts[6]), b.cout(), wts[7], wts[8], Float.NEGATIVE_INFINITY, INF);
        if (b.residual()) for (int i = 0; i < t.length; i++) t[i] += x[i];
        return t;
    }

    // ---- helpers --------------------------------------------------------------------------------------------------

    /** A geometry with explicit padding {top, bottom, left, right}; null where the window does not fit. */
    static ConvGeometry geometry(int n, int h, int w, int c, int k, int stride, int[] pad, int cout) {
        if (h + pad[0] + pad[1] < k || w + pad[2] + pad[3] < k) return null;
        return new ConvGeometry(n, h, w, c, k, k, stride, pad[0], pad[1], pad[2], pad[3], cout);
    }

    private static String stage(float[] st) {
        return st == null ? "none" : "[" + st[0] + ", " + st[1] + "]";
    }

    static double[] toDouble(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) d[i] = v[i];
        return d;
    }

    /** The storages of one backend call: inputs written, the output filled with NaN; all released on close. */
    private static final class Args implements AutoCloseable {
        private final CpuBackend b;
        private final List<Storage> all = new ArrayList<>();

        Args(CpuBackend b) {
            this.b = b;
        }

        Storage in(float[] v) {
            if (v == null) return null;
            Storage s = b.allocate(v.length);
            b.write(s, 0, v, 0, v.length);
            all.add(s);
            return s;
        }

        Storage out(long size) {
            Storage s = b.allocate(size);
            b.fill(s, Float.NaN);
            all.add(s);
            return s;
        }

        float[] read(Storage s) {
            float[] v = new float[Math.toIntExact(s.size())];
            b.read(s, 0, v, 0, v.length);
            return v;
        }

        @Override
        public void close() {
            for (Storage s : all) s.release();
        }
    }

    /** Collects failed comparisons (and exceptions) over many cases, to report them together. */
    private static final class Failures {
        private final List<String> messages = new ArrayList<>();
        private int comparisons;

        void check(double[] expected, float[] actual, String what) {
            comparisons++;
            try {
                Assertions2.assertClose(expected, actual, TOL, TOL, what);
            } catch (AssertionError e) {
                messages.add(e.getMessage());
            }
        }

        void run(String what, Runnable body) {
            try {
                body.run();
            } catch (RuntimeException e) {
                messages.add(what + ": " + e);
            }
        }

        void assertNone() {
            if (messages.isEmpty()) return;
            fail(messages.size() + " of " + comparisons + " comparisons failed; the first:\n  "
                    + String.join("\n  ", messages.subList(0, Math.min(12, messages.size()))));
        }
    }
}
