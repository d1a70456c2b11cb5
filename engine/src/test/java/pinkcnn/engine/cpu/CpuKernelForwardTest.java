package pinkcnn.engine.cpu;

import static pinkcnn.engine.testing.Assertions2.assertClose;
import static pinkcnn.engine.testing.RandomTensors.gaussian;
import static pinkcnn.engine.testing.RandomTensors.uniform;

import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import pinkcnn.engine.backend.ConvGeometry;
import pinkcnn.engine.backend.Storage;
import pinkcnn.engine.testing.Naive;

/**
 * Forward results of the optimised CPU kernels against {@link Naive} direct loops in double: odd sizes, batch 1 and
 * 3, stride 2 with asymmetric padding. Tolerance 1e-5 absolute + 1e-4 relative: float32 sums of up to a few
 * thousand terms of O(1) values.
 */
class CpuKernelForwardTest {
    private static final CpuBackend CPU = new CpuBackend(2);
    private final Random rnd = new Random(42);

    @AfterAll
    static void close() {
        CPU.close();
    }

    private static Storage put(float[] data) {
        Storage s = CPU.allocate(data.length);
        CPU.write(s, 0, data, 0, data.length);
        return s;
    }

    private static float[] get(Storage s) {
        return CpuBackend.array(s).clone();
    }

    @ParameterizedTest(name = "gemm ta={0} tb={1} {2}x{3}x{4}")
    @CsvSource({
            "false, false, 1, 1, 1", "false, false, 7, 9, 5", "true, false, 13, 33, 17", "false, true, 31, 47, 300",
            "true, true, 50, 65, 129", "false, false, 97, 16, 32", "false, false, 200, 24, 513", "false, true, 3, 1300, 7"})
    void gemmMatchesNaive(boolean ta, boolean tb, int m, int n, int k) {
        float[] a = gaussian(rnd, m * k, 1f), b = gaussian(rnd, k * n, 1f), c0 = gaussian(rnd, m * n, 1f);
        Storage c = put(c0);
        CPU.gemm(ta, tb, m, n, k, 0.5f, put(a), 0, ta ? m : k, put(b), 0, tb ? k : n, 2f, c, 0, n);
        double[] expected = Naive.gemm(ta, tb, m, n, k, a, b);
        for (int i = 0; i < expected.length; i++) expected[i] = 0.5 * expected[i] + 2 * c0[i];
        assertClose(expected, get(c), 1e-4, 1e-4, "gemm");
    }

    @Test
    void gemmWithOffsetsAndLeadingDimensions() {
        // C[2:5, 1:4] of a 6×6 matrix = A[1:4, 0:2] · B (a sub-block of a wider matrix)
        float[] a = gaussian(rnd, 5 * 4, 1f), b = gaussian(rnd, 2 * 3, 1f);
        Storage c = CPU.allocate(36);
        CPU.gemm(false, false, 3, 3, 2, 1f, put(a), 4, 4, put(b), 0, 3, 0f, c, 13, 6);
        float[] out = get(c);
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++) {
                double e = a[(1 + i) * 4] * b[j] + a[(1 + i) * 4 + 1] * b[3 + j];
                assertClose(new double[] {e}, new float[] {out[(2 + i) * 6 + 1 + j]}, 1e-5, 1e-5, "block");
            }
        assertClose(new double[] {0}, new float[] {out[0]}, 0, 0, "untouched element");
    }

    /**
     * Convolutions with the output stage (frozen batch norm, then ReLU6 or nothing) against the naive convolution
     * followed by the affine map and clamp in double: pointwise with one-vector and two-vector tiles, several row
     * blocks, and more input channels than one k-panel (the stage must wait for the last one); the im2col path;
     * depthwise.
     */
    @ParameterizedTest(name = "output stage n={0} {1}x{2}x{3} k={4} s={5} cout={6} depthwise={7} clamp={8}")
    @CsvSource({
            "2, 13, 11, 20, 1, 1, 16, false, true", "2, 13, 11, 20, 1, 1, 40, false, false",
            "1, 9, 7, 300, 1, 1, 24, false, true", "3, 8, 8, 3, 3, 2, 32, false, true",
            "2, 9, 7, 24, 3, 1, 24, true, true", "1, 12, 12, 17, 3, 2, 17, true, false"})
    void outputStageMatchesNaiveThenAffine(int n, int h, int w, int cin, int k, int s, int cout, boolean depthwise,
                                           boolean clamp) {
        int pad = k / 2;
        ConvGeometry g = new ConvGeometry(n, h, w, cin, k, k, s, pad, pad, pad, pad, cout);
        float[] x = gaussian(rnd, (int) g.inputSize(), 1f);
        float[] wt = gaussian(rnd, k * k * cin * (depthwise ? 1 : cout), 1f);
        float[] scale = uniform(rnd, cout, -0.5f, 2f), shift = uniform(rnd, cout, -1f, 1f);
        float lo = clamp ? 0f : Float.NEGATIVE_INFINITY, hi = clamp ? 6f : Float.POSITIVE_INFINITY;
        Storage y = CPU.allocate(g.outputSize());
        if (depthwise) CPU.depthwiseConv2dAffine(g, put(x), put(wt), put(scale), put(shift), lo, hi, y);
        else CPU.conv2dAffine(g, put(x), put(wt), put(scale), put(shift), lo, hi, y);
        double[] expected = depthwise ? Naive.depthwise(g, x, wt) : Naive.conv2d(g, x, wt);
        for (int i = 0; i < expected.length; i++) {
            int ch = i % cout;
            expected[i] = Math.min(Math.max(expected[i] * scale[ch] + shift[ch], lo), hi);
        }
        assertClose(expected, get(y), 1e-4, 1e-4, "convolution with output stage");
    }

    @ParameterizedTest(name = "conv2d n={0} {1}x{2}x{3} k={4} s={5} pads={6},{7},{8},{9} cout={10}")
    @CsvSource({
            "1, 7, 9, 5, 3, 1, 1, 1, 1, 1, 4",
            "3, 7, 9, 5, 3, 2, 0, 1, 0, 1, 6",
            "3, 7, 9, 5, 1, 1, 0, 0, 0, 0, 7",
            "1, 8, 8, 3, 3, 2, 0, 1, 0, 1, 32",
            "3, 13, 11, 17, 1, 2, 0, 0, 0, 0, 5"})
    void conv2dMatchesNaive(int n, int h, int w, int cin, int k, int s, int pt, int pb, int pl, int pr, int cout) {
        ConvGeometry g = new ConvGeometry(n, h, w, cin, k, k, s, pt, pb, pl, pr, cout);
        float[] x = gaussian(rnd, (int) g.inputSize(), 1f), wt = gaussian(rnd, k * k * cin * cout, 1f);
        Storage y = CPU.allocate(g.outputSize());
        CPU.conv2d(g, put(x), put(wt), y);
        assertClose(Naive.conv2d(g, x, wt), get(y), 1e-5, 1e-4, "conv2d");
    }

    @ParameterizedTest(name = "depthwise n={0} {1}x{2}x{3} s={4} pads={5},{6},{7},{8}")
    @CsvSource({"1, 7, 9, 5, 1, 1, 1, 1, 1", "3, 7, 9, 5, 2, 0, 1, 0, 1", "3, 13, 11, 17, 2, 1, 1, 1, 1", "1, 6, 6, 40, 1, 1, 1, 1, 1"})
    void depthwiseMatchesNaive(int n, int h, int w, int c, int s, int pt, int pb, int pl, int pr) {
        ConvGeometry g = new ConvGeometry(n, h, w, c, 3, 3, s, pt, pb, pl, pr, c);
        float[] x = gaussian(rnd, (int) g.inputSize(), 1f), wt = gaussian(rnd, 9 * c, 1f);
        Storage y = CPU.allocate(g.outputSize());
        CPU.depthwiseConv2d(g, put(x), put(wt), y);
        assertClose(Naive.depthwise(g, x, wt), get(y), 1e-5, 1e-4, "depthwise");
    }

    @ParameterizedTest(name = "maxpool n={0} k={1} s={2} pads={3},{4}")
    @CsvSource({"1, 2, 2, 0, 0", "3, 3, 2, 0, 1", "3, 3, 2, 1, 1"})
    void maxPoolMatchesNaive(int n, int k, int s, int pa, int pb) {
        ConvGeometry g = new ConvGeometry(n, 7, 9, 5, k, k, s, pa, pb, pa, pb, 5);
        float[] x = gaussian(rnd, (int) g.inputSize(), 1f);
        Storage y = CPU.allocate(g.outputSize());
        CPU.maxPool(g, put(x), y);
        assertClose(Naive.maxPool(g, x), get(y), 0, 0, "max pool");
    }

    @Test
    void globalAveragePoolMatchesNaive() {
        float[] x = gaussian(rnd, 3 * 63 * 5, 1f);
        Storage y = CPU.allocate(15);
        CPU.globalAveragePool(3, 63, 5, put(x), y);
        assertClose(Naive.globalAveragePool(3, 63, 5, x), get(y), 1e-6, 1e-5, "global average pool");
    }

    @Test
    void batchNormInferenceAndTrainingMatchNaive() {
        int c = 5, rows = 3 * 7 * 9;
        float[] x = gaussian(rnd, rows * c, 3f), gamma = uniform(rnd, c, 0.5f, 2f), beta = gaussian(rnd, c, 1f);
        float[] mean = gaussian(rnd, c, 1f), var = uniform(rnd, c, 0.1f, 3f);
        float eps = 1e-3f;
        Storage scale = CPU.allocate(c), shift = CPU.allocate(c), y = CPU.allocate(rows * c);
        // inference: moving statistics
        CPU.batchNormScaleShift(c, put(gamma), put(beta), put(mean), put(var), eps, scale, shift);
        CPU.channelAffine(rows, c, put(x), scale, shift, y);
        double[] m = new double[c], v = new double[c];
        for (int i = 0; i < c; i++) { m[i] = mean[i]; v[i] = var[i]; }
        assertClose(Naive.batchNorm(x, c, gamma, beta, m, v, eps), get(y), 1e-5, 1e-5, "batch norm (moving statistics)");
        // training: batch statistics
        Storage bm = CPU.allocate(c), bv = CPU.allocate(c);
        CPU.channelMoments(rows, c, put(x), bm, bv);
        double[][] mom = Naive.moments(x, c);
        assertClose(mom[0], get(bm), 1e-5, 1e-5, "batch mean");
        assertClose(mom[1], get(bv), 1e-5, 1e-5, "batch variance");
        CPU.batchNormScaleShift(c, put(gamma), put(beta), bm, bv, eps, scale, shift);
        CPU.channelAffine(rows, c, put(x), scale, shift, y);
        assertClose(Naive.batchNorm(x, c, gamma, beta, mom[0], mom[1], eps), get(y), 1e-5, 1e-5, "batch norm (batch statistics)");
    }
}
