package pinkcnn.engine.nn;

import java.util.Random;
import pinkcnn.engine.Tensor;
import pinkcnn.engine.backend.Backend;
import pinkcnn.engine.ops.Functional;

/** Keras DepthwiseConv2D (depth multiplier 1, no bias): weight {@code depthwise_kernel:0} of shape kh×kw×c×1. */
public final class DepthwiseConv2d extends ConvLayer {

    public DepthwiseConv2d(Backend b, String name, int channels, int kernelSize, int stride, String padding, Random rnd) {
        super(name, kernelSize, stride, padding, new Parameter("depthwise_kernel:0", Tensor.persistent(b,
                Init.glorotUniform(rnd, kernelSize * kernelSize * channels, kernelSize * kernelSize, kernelSize * kernelSize),
                kernelSize, kernelSize, channels, 1), true));
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
    public Tensor forwardAffine(Tensor x, int[] pad, Tensor scale, Tensor shift, float lo, float hi) {
        return Functional.depthwiseConv2dAffine(x, kernel.value(), stride, padding, pad, scale, shift, lo, hi);
    }

    @Override
    protected int outChannels(int inChannels) {
        return inChannels;
    }
}
