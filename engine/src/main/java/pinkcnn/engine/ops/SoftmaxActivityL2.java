package pinkcnn.engine.ops;

import pinkcnn.engine.Autograd;
import pinkcnn.engine.Tensor;
import pinkcnn.engine.backend.Backend;

/**
 * Keras' {@code activity_regularizer=l2(λ)} on a softmax layer's output, as the original project's head had:
 * penalty = λ·Σ p² / rows with p = softmax(z). Through the softmax Jacobian, with g = 2λp/rows:
 * ∂/∂z = p ⊙ (g − Σ_c p·g). Computed on the host: the tensor is only rows × classes.
 */
public final class SoftmaxActivityL2 {
    private SoftmaxActivityL2() {}

    public static Tensor apply(Tensor logits, float lambda) {
        Shapes.requireRank(logits, 2, "logits");
        int rows = logits.dim(0), classes = logits.dim(1);
        Backend b = logits.backend();
        Tensor probs = Tensor.empty(b, rows, classes);
        b.softmax(rows, classes, logits.storage(), probs.storage());
        float[] p = probs.toArray();
        double sq = 0;
        for (float v : p) sq += (double) v * v;
        Tensor penalty = Tensor.scalar(b, (float) (lambda * sq / rows));
        Autograd.record(penalty, new Tensor[] {logits}, () -> {
            float upstream = penalty.gradArray()[0];
            float[] dz = new float[rows * classes];
            for (int r = 0; r < rows; r++) {
                int base = r * classes;
                double dot = 0;
                for (int c = 0; c < classes; c++) dot += p[base + c] * (2.0 * lambda * p[base + c] / rows);
                for (int c = 0; c < classes; c++) {
                    double g = 2.0 * lambda * p[base + c] / rows;
                    dz[base + c] = (float) (upstream * p[base + c] * (g - dot));
                }
            }
            Tensor d = Tensor.of(b, dz, rows, classes);
            b.axpy(dz.length, 1f, d.storage(), logits.gradStorage());
        });
        return penalty;
    }
}
