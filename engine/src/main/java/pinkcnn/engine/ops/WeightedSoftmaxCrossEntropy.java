package pinkcnn.engine.ops;

import pinkcnn.engine.Autograd;
import pinkcnn.engine.Tensor;
import pinkcnn.engine.backend.Backend;

/**
 * Softmax cross-entropy with one weight per row (class weights for unbalanced data):
 * loss = Σ_r w_r·CE_r / Σ_r w_r, whose gradient is w_r·(p_r − t_r) / Σw. The per-row losses are computed on the host
 * from the (rows × classes) probabilities, which are tiny; the gradient uses the fused kernel and a row scaling.
 */
public final class WeightedSoftmaxCrossEntropy {
    private WeightedSoftmaxCrossEntropy() {}

    public static Tensor apply(Tensor logits, Tensor targets, float[] rowWeights) {
        Shapes.requireRank(logits, 2, "logits");
        Shapes.requireSameShape(logits, targets, "weighted softmax cross-entropy");
        int rows = logits.dim(0), classes = logits.dim(1);
        if (rowWeights.length != rows) throw new IllegalArgumentException(rowWeights.length + " weights for " + rows + " rows");
        Backend b = logits.backend();
        Tensor probs = Tensor.empty(b, rows, classes);
        b.softmax(rows, classes, logits.storage(), probs.storage());
        float[] p = probs.toArray(), t = targets.toArray();
        double total = 0, weightSum = 0;
        float[] w = new float[rows * classes];
        for (int r = 0; r < rows; r++) {
            double ce = 0;
            for (int c = 0; c < classes; c++) {
                float tc = t[r * classes + c];
                if (tc != 0f) ce -= tc * Math.log(Math.max(p[r * classes + c], 1e-30f));
            }
            total += rowWeights[r] * ce;
            weightSum += rowWeights[r];
        }
        for (int r = 0; r < rows; r++) for (int c = 0; c < classes; c++) w[r * classes + c] = (float) (rowWeights[r] / weightSum);
        Tensor scale = Tensor.of(b, w, rows, classes);
        Tensor loss = Tensor.scalar(b, (float) (total / weightSum));
        Autograd.record(loss, new Tensor[] {logits}, () -> {
            float upstream = loss.gradArray()[0];
            Tensor d = Tensor.zeros(b, rows, classes);
            b.softmaxCrossEntropyGrad(rows, classes, probs.storage(), targets.storage(), upstream, d.storage());
            b.mulGrad((long) rows * classes, d.storage(), scale.storage(), logits.gradStorage());
        });
        return loss;
    }
}
