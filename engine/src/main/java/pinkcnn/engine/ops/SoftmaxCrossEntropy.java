package pinkcnn.engine.ops;

import pinkcnn.engine.Autograd;
import pinkcnn.engine.Tensor;
import pinkcnn.engine.backend.Backend;

/**
 * Mean cross-entropy of softmax(logits) against target distributions (one-hot rows for hard labels), fused:
 * loss = (1/N) Σ_rows Σ_c t·(logSumExp(z) − z_c), whose gradient is simply (softmax(z) − t)/N. Computing it from the
 * logits avoids log(0) for confident wrong predictions.
 */
public final class SoftmaxCrossEntropy {
    private SoftmaxCrossEntropy() {}

    public static Tensor apply(Tensor logits, Tensor targets) {
        Shapes.requireRank(logits, 2, "logits");
        Shapes.requireSameShape(logits, targets, "softmax cross-entropy");
        int rows = logits.dim(0), classes = logits.dim(1);
        Backend b = logits.backend();
        Tensor probs = Tensor.empty(b, rows, classes);
        float total = b.softmaxCrossEntropy(rows, classes, logits.storage(), targets.storage(), probs.storage());
        Tensor loss = Tensor.scalar(b, total / rows);
        Autograd.record(loss, new Tensor[] {logits}, () -> {
            float upstream = loss.gradArray()[0];
            b.softmaxCrossEntropyGrad(rows, classes, probs.storage(), targets.storage(), upstream / rows, logits.gradStorage());
        });
        return loss;
    }

    /** One-hot rows for integer labels. */
    public static float[] oneHot(int[] labels, int classes) {
        return smoothedOneHot(labels, classes, 0f);
    }

    /**
     * Label smoothing: (1 − ε)·one-hot + ε/classes, so the true class gets 1 − ε + ε/classes and every other class
     * ε/classes. The rows still sum to 1, so the gradient stays (softmax(z) − t)/N; the logits are no longer pushed
     * towards infinity once the training set is learnt.
     */
    public static float[] smoothedOneHot(int[] labels, int classes, float epsilon) {
        if (!(epsilon >= 0f && epsilon < 1f)) throw new IllegalArgumentException("label smoothing " + epsilon + " not in [0, 1)");
        float[] t = new float[labels.length * classes];
        java.util.Arrays.fill(t, epsilon / classes);
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= classes) throw new IllegalArgumentException("label " + labels[i] + " not in [0," + classes + ")");
            t[i * classes + labels[i]] += 1f - epsilon;
        }
        return t;
    }
}
