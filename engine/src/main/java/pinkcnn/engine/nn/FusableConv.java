package pinkcnn.engine.nn;

import pinkcnn.engine.Tensor;

/**
 * A convolution layer that can take a per-channel affine map and clamp into its output stage: {@link Graph} folds a
 * frozen batch norm (and the ReLU after it) into the convolution before it when no gradient is recorded.
 */
public interface FusableConv {
    /** False when the layer's own output stage is in the way (a bias). */
    boolean canFuse();

    /** forward(x), then y = clamp(y·scale[c] + shift[c], lo, hi), in one pass; without gradients only. */
    Tensor forwardAffine(Tensor x, Tensor scale, Tensor shift, float lo, float hi);
}
