package pinkcnn.engine.nn;

import java.util.Random;
import pinkcnn.engine.Tensor;
import pinkcnn.engine.backend.Backend;
import pinkcnn.engine.ops.Functional;

/** Keras Conv2D: weights {@code kernel:0} (kh×kw×cin×cout, HWIO) and, with a bias, {@code bias:0} (cout). */
public final class Conv2d extends ConvLayer {
    private final int filters;
    private final Parameter bias;

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
