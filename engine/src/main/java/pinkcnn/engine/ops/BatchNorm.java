package pinkcnn.engine.ops;

import pinkcnn.engine.Autograd;
import pinkcnn.engine.Tensor;
import pinkcnn.engine.backend.Backend;
import pinkcnn.engine.backend.Storage;

/**
 * Batch normalisation over the channel axis of an NHWC tensor (rows = N·H·W):
 * y = γ·(x − μ)/√(σ² + ε) + β.
 * <ul>
 *   <li>{@link #inference}: μ, σ² are the moving statistics, so y is a per-channel affine map of x. Used in eval
 *       mode and always for a frozen layer (the Keras 2 behaviour of normalising frozen layers with batch statistics
 *       was one cause of the original project's train/dev gap).</li>
 *   <li>{@link #training}: μ, σ² are the batch's own statistics, the gradient flows through them too, and the moving
 *       statistics move towards them: moving = momentum·moving + (1 − momentum)·batch (variance Bessel-corrected,
 *       as TensorFlow does).</li>
 * </ul>
 */
public final class BatchNorm {
    private BatchNorm() {}

    public static Tensor inference(Tensor x, Tensor gamma, Tensor beta, Tensor movingMean, Tensor movingVar, float eps) {
        int c = x.dim(-1), rows = (int) (x.size() / c);
        Backend b = x.backend();
        Tensor[] ss = movingScaleShift(gamma, beta, movingMean, movingVar, eps);
        Tensor scale = ss[0], shift = ss[1];
        Tensor y = Tensor.empty(b, x.shape());
        b.channelAffine(rows, c, x.storage(), scale.storage(), shift.storage(), y.storage());
        Autograd.record(y, new Tensor[] {x, gamma, beta}, () -> {
            Storage dy = y.gradStorage();
            if (x.requiresGrad()) b.channelAffineGrad(rows, c, x.storage(), dy, scale.storage(), x.gradStorage(), null, null);
            if (gamma.requiresGrad() || beta.requiresGrad()) {
                // dγ = Σ dy·x̂ with x̂ = (x − μ)/√(σ²+ε): normalise x with the same kernels (γ = 1, β = 0).
                Tensor ones = Tensor.zeros(b, c), zeros = Tensor.zeros(b, c);
                b.fill(ones.storage(), 1f);
                Tensor invStd = Tensor.zeros(b, c), negMeanInvStd = Tensor.zeros(b, c);
                b.batchNormScaleShift(c, ones.storage(), zeros.storage(), movingMean.storage(), movingVar.storage(), eps,
                        invStd.storage(), negMeanInvStd.storage());
                Tensor xhat = Tensor.zeros(b, x.shape());
                b.channelAffine(rows, c, x.storage(), invStd.storage(), negMeanInvStd.storage(), xhat.storage());
                b.channelAffineGrad(rows, c, xhat.storage(), dy, invStd.storage(), null,
                        gamma.requiresGrad() ? gamma.gradStorage() : null, beta.requiresGrad() ? beta.gradStorage() : null);
            }
        });
        return y;
    }

    /**
     * Inference batch norm followed by ReLU(cap), fused into one pass: for passes without gradients (the fused kernel
     * has no backward; with recording on, this is the two ops one after the other).
     */
    public static Tensor inferenceClamped(Tensor x, Tensor gamma, Tensor beta, Tensor movingMean, Tensor movingVar,
                                          float eps, float cap) {
        if (Autograd.enabled() && (x.requiresGrad() || gamma.requiresGrad() || beta.requiresGrad())) {
            return Relu.apply(inference(x, gamma, beta, movingMean, movingVar, eps), cap);
        }
        int c = x.dim(-1), rows = (int) (x.size() / c);
        Tensor[] ss = movingScaleShift(gamma, beta, movingMean, movingVar, eps);
        Tensor y = Tensor.empty(x.backend(), x.shape());
        x.backend().channelAffineClamp(rows, c, x.storage(), ss[0].storage(), ss[1].storage(), cap, y.storage());
        return y;
    }

    /** Per-channel scale γ/√(σ²+ε) and shift β − μ·scale from the moving statistics: y = scale·x + shift. */
    public static Tensor[] movingScaleShift(Tensor gamma, Tensor beta, Tensor movingMean, Tensor movingVar, float eps) {
        int c = (int) gamma.size();
        Backend b = gamma.backend();
        Tensor scale = Tensor.empty(b, c), shift = Tensor.empty(b, c);
        b.batchNormScaleShift(c, gamma.storage(), beta.storage(), movingMean.storage(), movingVar.storage(), eps,
                scale.storage(), shift.storage());
        return new Tensor[] {scale, shift};
    }

    public static Tensor training(Tensor x, Tensor gamma, Tensor beta, Tensor movingMean, Tensor movingVar,
                                  float momentum, float eps) {
        int c = x.dim(-1), rows = (int) (x.size() / c);
        Backend b = x.backend();
        Tensor mean = Tensor.empty(b, c), var = Tensor.empty(b, c);
        b.channelMoments(rows, c, x.storage(), mean.storage(), var.storage());
        Tensor scale = Tensor.empty(b, c), shift = Tensor.empty(b, c);
        b.batchNormScaleShift(c, gamma.storage(), beta.storage(), mean.storage(), var.storage(), eps,
                scale.storage(), shift.storage());
        Tensor y = Tensor.empty(b, x.shape());
        b.channelAffine(rows, c, x.storage(), scale.storage(), shift.storage(), y.storage());
        updateMoving(b, c, momentum, movingMean.storage(), mean.storage(), 1f);
        updateMoving(b, c, momentum, movingVar.storage(), var.storage(), rows > 1 ? rows / (rows - 1f) : 1f);
        Autograd.record(y, new Tensor[] {x, gamma, beta}, () -> b.batchNormGrad(rows, c, x.storage(), y.gradStorage(),
                mean.storage(), var.storage(), gamma.storage(), eps,
                x.requiresGrad() ? x.gradStorage() : null,
                gamma.requiresGrad() ? gamma.gradStorage() : null,
                beta.requiresGrad() ? beta.gradStorage() : null));
        return y;
    }

    /** moving = momentum·moving + (1 − momentum)·correction·batch */
    private static void updateMoving(Backend b, int c, float momentum, Storage moving, Storage batch, float correction) {
        b.scale(c, momentum, moving, moving);
        b.axpy(c, (1f - momentum) * correction, batch, moving);
    }
}
