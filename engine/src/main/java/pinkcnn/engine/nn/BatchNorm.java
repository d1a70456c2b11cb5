package pinkcnn.engine.nn;

import pinkcnn.engine.Tensor;
import pinkcnn.engine.backend.Backend;
import pinkcnn.engine.backend.Storage;
import pinkcnn.engine.ops.Functional;

/**
 * Keras BatchNormalization over the channel axis: weights {@code gamma:0}, {@code beta:0} (trainable) and
 * {@code moving_mean:0}, {@code moving_variance:0}. In training mode a trainable layer normalises with the batch's
 * statistics and updates the moving ones; in eval mode, and always when frozen, it uses the moving statistics.
 */
public final class BatchNorm extends Layer {
    public static final float DEFAULT_EPSILON = 1e-3f;
    public static final float DEFAULT_MOMENTUM = 0.99f;

    private final float epsilon, momentum;
    private final Parameter gamma, beta, movingMean, movingVariance;

    public BatchNorm(Backend b, String name, int channels, float epsilon, float momentum) {
        super(name);
        this.epsilon = epsilon;
        this.momentum = momentum;
        gamma = addWeight(new Parameter("gamma:0", Tensor.persistent(b, Init.constant(channels, 1f), channels), true));
        beta = addWeight(new Parameter("beta:0", Tensor.persistent(b, new float[channels], channels), true));
        movingMean = addWeight(new Parameter("moving_mean:0", Tensor.persistent(b, new float[channels], channels), false));
        movingVariance = addWeight(new Parameter("moving_variance:0",
                Tensor.persistent(b, Init.constant(channels, 1f), channels), false));
    }

    public BatchNorm(Backend b, String name, int channels) {
        this(b, name, channels, DEFAULT_EPSILON, DEFAULT_MOMENTUM);
    }

    /** When false, a training-mode pass still uses the moving statistics (fine-tuning with {@code --bn-train false}). */
    private boolean updateStatistics = true;

    public void setUpdateStatistics(boolean update) {
        this.updateStatistics = update;
    }

    @Override
    public Tensor forward(Tensor x) {
        if (!usesMovingStatistics()) {
            return Functional.batchNormTraining(x, gamma.value(), beta.value(), movingMean.value(),
                    movingVariance.value(), momentum, epsilon);
        }
        return Functional.batchNorm(x, gamma.value(), beta.value(), movingMean.value(),
                movingVariance.value(), epsilon);
    }

    /** True when a forward pass normalises with the moving statistics (eval mode, frozen, or statistics held). */
    public boolean usesMovingStatistics() {
        return !(training && trainable && updateStatistics);
    }

    /** This layer followed by ReLU(cap), in one pass when it uses moving statistics and no gradient is recorded. */
    public Tensor forwardClamped(Tensor x, float cap) {
        if (!usesMovingStatistics()) return Functional.relu(forward(x), cap);
        return Functional.batchNormRelu(x, gamma.value(), beta.value(), movingMean.value(),
                movingVariance.value(), epsilon, cap);
    }

    /**
     * The last {@link #folded} scale and shift, and the storages of the four weights they were computed from with their
     * generations then.
     */
    private Tensor[] folded;
    private final Storage[] foldedFrom = new Storage[4];
    private final long[] foldedAt = new long[4];

    /**
     * {scale, shift} with which this layer, on its moving statistics, is y = x·scale + shift per channel. Kept by the
     * layer and computed again only when one of the four weights may have changed
     * ({@link pinkcnn.engine.backend.Storage#generation}; on a backend that cannot tell, every time): a pass without
     * gradients folds every batch norm, and at batch 1 that took 3 % of MobileNetV2's pass (docs/kernels.md). The
     * tensors belong to the layer: callers must not release them, nor keep them past the next call.
     */
    public Tensor[] folded() {
        Tensor[] in = {gamma.value(), beta.value(), movingMean.value(), movingVariance.value()};
        boolean current = folded != null && folded[0].backend() == in[0].backend();
        for (int i = 0; i < 4 && current; i++) {
            long g = in[i].storage().generation();
            current = in[i].storage() == foldedFrom[i] && g >= 0 && g == foldedAt[i];
        }
        if (current) return folded;
        int c = (int) in[0].size();
        if (folded == null || folded[0].backend() != in[0].backend()) {
            folded = new Tensor[] {Tensor.persistent(in[0].backend(), new float[c], c),
                    Tensor.persistent(in[0].backend(), new float[c], c)};
        }
        in[0].backend().batchNormScaleShift(c, in[0].storage(), in[1].storage(), in[2].storage(), in[3].storage(),
                epsilon, folded[0].storage(), folded[1].storage());
        // after the fold, which read them: their generations now are the ones the fold saw
        for (int i = 0; i < 4; i++) {
            foldedFrom[i] = in[i].storage();
            foldedAt[i] = in[i].storage().generation();
        }
        return folded;
    }

    @Override
    public int[] outputShape(int[] in) {
        return in.clone();
    }

    public float epsilon() {
        return epsilon;
    }
}
