package pinkcnn.engine.nn;

import java.util.Random;
import pinkcnn.engine.Autograd;
import pinkcnn.engine.Tensor;
import pinkcnn.engine.backend.Backend;
import pinkcnn.engine.ops.Functional;

/** Keras Conv2D: weights {@code kernel:0} (kh×kw×cin×cout, HWIO) and, with a bias, {@code bias:0} (cout). */
public final class Conv2d extends ConvLayer {
    private final int filters;
    private final Parameter bias;
    /** All ones, the scale of the output stage that adds the bias (made on first use). */
    private volatile Tensor ones;

    public Conv2d(Backend b, String name, int inChannels, int filters, int kernelSize, int stride, String padding,
                  boolean useBias, Random rnd) {
        super(name, kernelSize, stride, padding, new Parameter("kernel:0", Tensor.persistent(b,
                Init.glorotUniform(rnd, kernelSize * kernelSize * inChannels * filters, kernelSize * kernelSize * inChannels,
                        kernelSize * kernelSize * filters),
                kernelSize, kernelSize, inChannels, filters), true));
        this.filters = filters;
        this.bias = useBias ? addWeight(new Parameter("bias:0", Tensor.persistent(b, new float[filters], filters), true)) : null;
    }

    @Override
    public Tensor forward(Tensor x) {
        // Without gradients the bias goes into the convolution's output stage: one pass over the output, not two.
        if (bias != null && !Autograd.enabled()) return forwardBiasClamped(x, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY);
        Tensor y = Functional.conv2d(x, kernel.value(), stride, padding);
        if (bias == null) return y;
        return Functional.biasAdd(y, bias.value());
    }

    @Override
    public boolean canFuse() {
        return bias == null;
    }

    @Override
    public Tensor forwardAffine(Tensor x, int[] pad, Tensor scale, Tensor shift, float lo, float hi) {
        if (!canFuse()) throw new IllegalStateException(name() + " has a bias: apply it and the affine map separately");
        return Functional.conv2dAffine(x, kernel.value(), stride, padding, pad, scale, shift, lo, hi);
    }

    /**
     * Without gradients: the convolution, its bias and then a ReLU capped at {@code hi} ({@code lo} 0) or nothing
     * ({@code lo} −∞, {@code hi} +∞), in the convolution's output stage (y·1 + bias, clamped). {@link Graph} runs a
     * biased convolution and the ReLU after it this way.
     */
    public Tensor forwardBiasClamped(Tensor x, float lo, float hi) {
        if (bias == null) throw new IllegalStateException(name() + " has no bias");
        Tensor scale = ones;
        if (scale == null) {
            synchronized (this) {
                if (ones == null) ones = Tensor.persistent(kernel.value().backend(), Init.constant(filters, 1f), filters);
                scale = ones;
            }
        }
        return Functional.conv2dAffine(x, kernel.value(), stride, padding, scale, bias.value(), lo, hi);
    }

    @Override
    protected int outChannels(int inChannels) {
        return filters;
    }

    public int filters() {
        return filters;
    }

    /** {@code bias:0}, or null for a layer without a bias. */
    public Parameter bias() {
        return bias;
    }
}
