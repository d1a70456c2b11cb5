package pinkcnn.engine.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static pinkcnn.engine.testing.RandomTensors.awayFromZero;
import static pinkcnn.engine.testing.RandomTensors.distinct;
import static pinkcnn.engine.testing.RandomTensors.gaussian;
import static pinkcnn.engine.testing.RandomTensors.leaf;
import static pinkcnn.engine.testing.RandomTensors.uniform;

import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import pinkcnn.engine.Autograd;
import pinkcnn.engine.Tensor;
import pinkcnn.engine.cpu.CpuBackend;
import pinkcnn.engine.testing.GradientCheck;

/** Every op's backward against central finite differences (see {@link GradientCheck} for the tolerance). */
class OpGradientTest {
    private static final CpuBackend CPU = new CpuBackend(2);
    private final Random rnd = new Random(1234);

    @AfterAll
    static void close() {
        CPU.close();
    }

    private static void check(Function<Tensor[], Tensor> op, Tensor... inputs) {
        List<GradientCheck.Mismatch> bad = GradientCheck.run(op, inputs);
        assertTrue(bad.isEmpty(), () -> "gradient mismatches (input, index, numeric, analytic): " + bad.subList(0, Math.min(5, bad.size())));
    }

    @ParameterizedTest(name = "conv2d n={0} {1}x{2}x{3} k={4} s={5} {6} cout={7}")
    @CsvSource({
            "1, 7, 9, 5, 1, 1, valid, 4",
            "3, 7, 9, 5, 3, 1, same, 6",
            "1, 7, 9, 5, 3, 2, same, 3",
            "3, 8, 6, 3, 3, 2, valid, 4",
            "1, 7, 9, 5, 1, 2, valid, 4"})
    void conv2d(int n, int h, int w, int cin, int k, int s, String padding, int cout) {
        Tensor x = leaf(CPU, gaussian(rnd, n * h * w * cin, 1f), n, h, w, cin);
        Tensor kernel = leaf(CPU, gaussian(rnd, k * k * cin * cout, 0.5f), k, k, cin, cout);
        check(t -> Functional.conv2d(t[0], t[1], s, padding), x, kernel);
    }

    @ParameterizedTest(name = "depthwise n={0} {1}x{2}x{3} s={4} {5}")
    @CsvSource({"1, 7, 9, 5, 1, same", "3, 7, 9, 5, 2, valid", "3, 8, 8, 17, 2, same"})
    void depthwise(int n, int h, int w, int c, int s, String padding) {
        Tensor x = leaf(CPU, gaussian(rnd, n * h * w * c, 1f), n, h, w, c);
        Tensor kernel = leaf(CPU, gaussian(rnd, 9 * c, 0.5f), 3, 3, c, 1);
        check(t -> Functional.depthwiseConv2d(t[0], t[1], s, padding), x, kernel);
    }

    @Test
    void asymmetricZeroPadding() {
        Tensor x = leaf(CPU, gaussian(rnd, 3 * 7 * 9 * 5, 1f), 3, 7, 9, 5);
        check(t -> Functional.zeroPad2d(t[0], 0, 1, 0, 1), x);
        check(t -> Functional.zeroPad2d(t[0], 2, 1, 3, 0), x);
    }

    @ParameterizedTest(name = "maxpool k={0} s={1} {2}")
    @CsvSource({"2, 2, valid", "3, 2, same", "3, 1, valid"})
    void maxPool(int k, int s, String padding) {
        // Distinct values 0.05 apart: a ±0.01 step never changes which element is the maximum.
        Tensor x = leaf(CPU, distinct(rnd, 3 * 7 * 9 * 5, 0.05f), 3, 7, 9, 5);
        check(t -> Functional.maxPool2d(t[0], k, s, padding), x);
    }

    @ParameterizedTest(name = "grid average pool {0}x{1} -> {2}x{2}")
    @CsvSource({"7, 9, 3", "14, 14, 3", "6, 6, 2", "5, 5, 1"})
    void gridAveragePool(int h, int w, int grid) {
        Tensor x = leaf(CPU, gaussian(rnd, 2 * h * w * 5, 1f), 2, h, w, 5);
        check(t -> Functional.gridAveragePool2d(t[0], grid), x);
    }

    @Test
    void gridAveragePoolOfOneCellIsTheGlobalAverage() {
        Tensor x = leaf(CPU, gaussian(rnd, 3 * 7 * 9 * 5, 1f), 3, 7, 9, 5);
        org.junit.jupiter.api.Assertions.assertArrayEquals(Functional.globalAveragePool2d(x).toArray(), Functional.gridAveragePool2d(x, 1).toArray(), 1e-6f);
        // 14 → 3 cells: rows [0,4), [4,9), [9,14)
        float[] ones = new float[14 * 14];
        for (int i = 0; i < 14; i++) for (int j = 0; j < 14; j++) ones[i * 14 + j] = i;
        float[] p = Functional.gridAveragePool2d(ones, 1, 14, 14, 1, 3);
        org.junit.jupiter.api.Assertions.assertArrayEquals(new float[] {1.5f, 1.5f, 1.5f, 6f, 6f, 6f, 11f, 11f, 11f}, p, 1e-6f);
    }

    @Test
    void globalAveragePool() {
        Tensor x = leaf(CPU, gaussian(rnd, 3 * 7 * 9 * 5, 1f), 3, 7, 9, 5);
        check(t -> Functional.globalAveragePool2d(t[0]), x);
    }

    @Test
    void batchNormInference() {
        int c = 5;
        Tensor x = leaf(CPU, gaussian(rnd, 3 * 7 * 9 * c, 2f), 3, 7, 9, c);
        Tensor gamma = leaf(CPU, uniform(rnd, c, 0.5f, 1.5f), c), beta = leaf(CPU, gaussian(rnd, c, 1f), c);
        Tensor mean = Tensor.persistent(CPU, gaussian(rnd, c, 1f), c), var = Tensor.persistent(CPU, uniform(rnd, c, 0.5f, 2f), c);
        check(t -> Functional.batchNorm(t[0], t[1], t[2], mean, var, 1e-3f), x, gamma, beta);
    }

    @Test
    void batchNormTraining() {
        int c = 5;
        Tensor x = leaf(CPU, gaussian(rnd, 3 * 4 * 3 * c, 2f), 3, 4, 3, c);
        Tensor gamma = leaf(CPU, uniform(rnd, c, 0.5f, 1.5f), c), beta = leaf(CPU, gaussian(rnd, c, 1f), c);
        Tensor mean = Tensor.persistent(CPU, new float[c], c), var = Tensor.persistent(CPU, uniform(rnd, c, 1f, 1f), c);
        check(t -> Functional.batchNormTraining(t[0], t[1], t[2], mean, var, 0.99f, 1e-3f), x, gamma, beta);
    }

    @Test
    void reluAndRelu6() {
        // |x| ≥ 0.05 and |x − 6| ≥ 0.05: no ±0.01 step crosses a kink.
        float[] v = awayFromZero(rnd, 2 * 3 * 4 * 5, 0.05f, 8f);
        for (int i = 0; i < v.length; i++) if (Math.abs(v[i] - 6f) < 0.05f) v[i] = 6.5f;
        Tensor x = leaf(CPU, v, 2, 3, 4, 5);
        check(t -> Functional.relu(t[0], Float.POSITIVE_INFINITY), x);
        check(t -> Functional.relu(t[0], 6f), x);
    }

    @Test
    void addMultiplySum() {
        Tensor a = leaf(CPU, gaussian(rnd, 60, 1f), 3, 4, 5), b = leaf(CPU, gaussian(rnd, 60, 1f), 3, 4, 5);
        check(t -> Functional.add(t[0], t[1]), a, b);
        check(t -> Functional.multiply(t[0], t[1]), a, b);
        check(t -> Functional.sum(t[0]), a);
        check(t -> Functional.add(t[0], t[0]), a); // the same tensor twice: gradients must accumulate
    }

    @Test
    void denseWithBias() {
        Tensor x = leaf(CPU, gaussian(rnd, 7 * 13, 1f), 7, 13);
        Tensor w = leaf(CPU, gaussian(rnd, 13 * 5, 0.5f), 13, 5), b = leaf(CPU, gaussian(rnd, 5, 1f), 5);
        check(t -> Functional.dense(t[0], t[1], t[2]), x, w, b);
    }

    @Test
    void flattenAndReshape() {
        Tensor x = leaf(CPU, gaussian(rnd, 3 * 2 * 2 * 5, 1f), 3, 2, 2, 5);
        check(t -> Functional.flatten(t[0]), x);
        check(t -> t[0].reshape(6, -1), x);
    }

    @Test
    void dropout() {
        Tensor x = leaf(CPU, gaussian(rnd, 200, 1f), 10, 20);
        check(t -> Functional.dropout(t[0], 0.3f, 99L), x);
    }

    @Test
    void softmaxCrossEntropy() {
        Tensor logits = leaf(CPU, gaussian(rnd, 7 * 4, 2f), 7, 4);
        Tensor targets = Tensor.persistent(CPU, Functional.oneHot(new int[] {0, 3, 1, 2, 2, 0, 3}, 4), 7, 4);
        check(t -> Functional.softmaxCrossEntropy(t[0], targets), logits);
    }

    @Test
    void softmaxCrossEntropyWithSmoothedLabels() {
        float[] t = Functional.smoothedOneHot(new int[] {2, 0}, 4, 0.2f);
        org.junit.jupiter.api.Assertions.assertArrayEquals(new float[] {0.05f, 0.05f, 0.85f, 0.05f, 0.85f, 0.05f, 0.05f, 0.05f}, t, 1e-6f);
        Tensor logits = leaf(CPU, new float[] {0.3f, -1.2f, 2.0f, 0.1f, 1.5f, 0.2f, -0.4f, 0.9f}, 2, 4);
        Tensor targets = Tensor.persistent(CPU, t, 2, 4);
        check(x -> Functional.softmaxCrossEntropy(x[0], targets), logits);
    }

    @Test
    void weightedSoftmaxCrossEntropy() {
        Tensor logits = leaf(CPU, gaussian(rnd, 5 * 4, 2f), 5, 4);
        Tensor targets = Tensor.persistent(CPU, Functional.oneHot(new int[] {0, 3, 1, 2, 2}, 4), 5, 4);
        check(t -> Functional.weightedSoftmaxCrossEntropy(t[0], targets, new float[] {1f, 2.5f, 0.5f, 1f, 3f}), logits);
    }

    @Test
    void softmaxActivityL2() {
        Tensor logits = leaf(CPU, gaussian(rnd, 6 * 4, 2f), 6, 4);
        check(t -> Functional.softmaxActivityL2(t[0], 0.5f), logits);
    }

    @Test
    void biasAdd() {
        Tensor x = leaf(CPU, gaussian(rnd, 2 * 3 * 3 * 5, 1f), 2, 3, 3, 5), bias = leaf(CPU, gaussian(rnd, 5, 1f), 5);
        check(t -> Functional.biasAdd(t[0], t[1]), x, bias);
    }

    /** The checker itself must catch a backward that is slightly wrong (10 % too large). */
    @Test
    void checkCatchesAWrongGradient() {
        Tensor x = leaf(CPU, gaussian(rnd, 40, 1f), 5, 8);
        List<GradientCheck.Mismatch> bad = GradientCheck.run(t -> scaledBy(t[0], 3f, 3.3f), x);
        assertFalse(bad.isEmpty(), "a 10% wrong gradient passed the check");
        assertEquals(40, bad.size(), "every element's gradient is wrong and should be reported");
        // ...and the same op with the right gradient passes.
        assertTrue(GradientCheck.run(t -> scaledBy(t[0], 3f, 3f), x).isEmpty());
    }

    /** y = factor·x, recording gradFactor·dy as its gradient (right when the two are equal). */
    private static Tensor scaledBy(Tensor in, float factor, float gradFactor) {
        Tensor y = Tensor.zeros(CPU, in.shape());
        CPU.scale(in.size(), factor, in.storage(), y.storage());
        Autograd.record(y, new Tensor[] {in}, () -> CPU.axpy(in.size(), gradFactor, y.gradStorage(), in.gradStorage()));
        return y;
    }
}
