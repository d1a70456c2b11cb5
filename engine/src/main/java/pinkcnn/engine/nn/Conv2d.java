package pinkcnn.engine.nn;

import java.util.Random;
import pinkcnn.engine.Autograd;
import pinkcnn.engine.Tensor;
import pinkcnn.engine.backend.Backend;
import pinkcnn.engine.backend.ConvGeometry;
import pinkcnn.engine.ops.Functional;

/** Keras Conv2D: weights {@code kernel:0} (kh×kw×cin×cout, HWIO) and, with a bias, {@code bias:0} (cout). */
public final class Conv2d extends Layer implements FusableConv {
    private final int kernelSize, stride, filters;
    private final String padding;
    private final Parameter kernel, bias;
    /** All ones, the scale of the output stage that adds the bias (made on first use). */
    private volatile Tensor ones;

    public Conv2d(Backend b, String name, int inChannels, int filters, int kernelSize, int stride, String padding,
                  boolean useBias, Random rnd) {
        super(name);
        this.kernelSize = kernelSize;
        this.stride = stride;
        this.filters = filters;
        this.padding = padding;
        int k2 = kernelSize * kernelSize;
        this.kernel = addWeight(new Parameter("kernel:0", Tensor.persistent(b,
                Init.glorotUniform(rnd, k2 * inChannels * filters, k2 * inChannels, k2 * filters),
                kernelSize, kernelSize, inChannels, filters), true));
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
    public Tensor forwardAffine(Tensor x, Tensor scale, Tensor shift, float lo, float hi) {
        if (!canFuse()) throw new IllegalStateException(name() + " has a bias: apply it and the affine map separately");
        return Functional.conv2dAffine(x, kernel.value(), stride, padding, scale, shift, lo, hi);
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
    public int[] outputShape(int[] in) {
        ConvGeometry g = ConvGeometry.of(in[0], in[1], in[2], in[3], kernelSize, stride, padding, filters);
        return new int[] {in[0], g.outH(), g.outW(), filters};
    }

    public int kernelSize() {
        return kernelSize;
    }

    public int stride() {
        return stride;
    }

    /** Keras padding: 'valid' or 'same'. */
    public String padding() {
        return padding;
    }

    public int filters() {
        return filters;
    }

    /** {@code kernel:0}, kh×kw×cin×cout. */
    public Parameter kernel() {
        return kernel;
    }

    /** {@code bias:0}, or null for a layer without a bias. */
    public Parameter bias() {
        return bias;
    }
}
