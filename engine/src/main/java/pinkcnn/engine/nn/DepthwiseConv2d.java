package pinkcnn.engine.nn;

import java.util.Random;
import pinkcnn.engine.Tensor;
import pinkcnn.engine.backend.Backend;
import pinkcnn.engine.backend.ConvGeometry;
import pinkcnn.engine.ops.Functional;

/** Keras DepthwiseConv2D (depth multiplier 1, no bias): weight {@code depthwise_kernel:0} of shape kh×kw×c×1. */
public final class DepthwiseConv2d extends Layer implements FusableConv {
    private final int kernelSize, stride;
    private final String padding;
    private final Parameter kernel;

    public DepthwiseConv2d(Backend b, String name, int channels, int kernelSize, int stride, String padding, Random rnd) {
        super(name);
        this.kernelSize = kernelSize;
        this.stride = stride;
        this.padding = padding;
        int k2 = kernelSize * kernelSize;
        this.kernel = addWeight(new Parameter("depthwise_kernel:0",
                Tensor.persistent(b, Init.glorotUniform(rnd, k2 * channels, k2, k2), kernelSize, kernelSize, channels, 1), true));
    }

    @Override
    public Tensor forward(Tensor x) {
        return Functional.depthwiseConv2d(x, kernel.value(), stride, padding);
    }

    @Override
    public boolean canFuse() {
        return true;
    }

    @Override
    public Tensor forwardAffine(Tensor x, Tensor scale, Tensor shift, float lo, float hi) {
        return Functional.depthwiseConv2dAffine(x, kernel.value(), stride, padding, scale, shift, lo, hi);
    }

    @Override
    public int[] outputShape(int[] in) {
        ConvGeometry g = ConvGeometry.of(in[0], in[1], in[2], in[3], kernelSize, stride, padding, in[3]);
        return new int[] {in[0], g.outH(), g.outW(), in[3]};
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

    /** {@code depthwise_kernel:0}, kh×kw×c×1. */
    public Parameter kernel() {
        return kernel;
    }
}
