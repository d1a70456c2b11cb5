package pinkcnn.kernels;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Softmax, cross-entropy and its gradient, SGD with momentum and Adam against the CPU backend. */
class LossAndOptimizerParityTest {
    @RegisterExtension
    static final Twins t = new Twins(23);

    /** One-hot rows, except every third row which is a soft label. */
    private Twins.Pair targets(int rows, int classes) {
        float[] v = new float[rows * classes];
        for (int r = 0; r < rows; r++) {
            if (r % 3 == 2) {
                for (int j = 0; j < classes; j++) v[r * classes + j] = 1f / classes;
            } else {
                v[r * classes + t.rnd.nextInt(classes)] = 1f;
            }
        }
        return t.of(v);
    }

    @Test
    void softmaxAndCrossEntropy() {
        int[][] cases = {{1, 4}, {7, 4}, {33, 10}, {5, 1000}};
        for (int[] c : cases) {
            int rows = c[0], classes = c[1];
            Twins.Pair logits = t.uniform((long) rows * classes, -8f, 8f), probs = t.random((long) rows * classes);
            Twins.Pair tg = targets(rows, classes), d = t.random((long) rows * classes);
            t.run((b, z) -> b.softmax(rows, classes, z.at(logits), z.at(probs)));
            t.assertClose(probs, "softmax " + rows + "x" + classes);
            t.compare((b, z) -> b.softmaxCrossEntropy(rows, classes, z.at(logits), z.at(tg), z.at(probs)), 1e-4, 1e-4,
                    "softmaxCrossEntropy " + rows + "x" + classes);
            t.assertClose(probs, "softmaxCrossEntropy probs " + rows + "x" + classes);
            t.run((b, z) -> b.softmaxCrossEntropyGrad(rows, classes, z.at(probs), z.at(tg), 1f / rows, z.at(d)));
            t.assertClose(d, "softmaxCrossEntropyGrad " + rows + "x" + classes);
        }
    }

    @Test
    void sgdWithMomentum() {
        for (int n : new int[] {1, 1001}) {
            Twins.Pair p = t.random(n), g = t.random(n), v = t.random(n);
            for (int step = 0; step < 3; step++) {
                t.run((b, z) -> b.sgdMomentumUpdate(n, 0.05f, 0.9f, z.at(p), z.at(g), z.at(v)));
            }
            t.assertClose(p, "sgd parameters " + n);
            t.assertClose(v, "sgd velocity " + n);
            t.run((b, z) -> b.sgdMomentumUpdate(n, 0.05f, 0f, z.at(p), z.at(g), z.at(v)));
            t.assertClose(p, "plain sgd " + n);
        }
    }

    @Test
    void adam() {
        for (int n : new int[] {1, 1001}) {
            Twins.Pair p = t.random(n), m = t.zeros(n), v = t.zeros(n);
            for (int step = 1; step <= 5; step++) {
                Twins.Pair g = t.random(n);
                int tt = step;
                t.run((b, z) -> b.adamUpdate(n, 1e-2f, 0.9f, 0.999f, 1e-7f, tt, z.at(p), z.at(g), z.at(m), z.at(v)));
            }
            t.assertClose(p, "adam parameters " + n);
            t.assertClose(m, "adam m " + n);
            t.assertClose(v, "adam v " + n);
        }
    }
}
