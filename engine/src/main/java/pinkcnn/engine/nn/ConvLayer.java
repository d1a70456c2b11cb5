package pinkcnn.engine.nn;

import pinkcnn.engine.Tensor;
import pinkcnn.engine.backend.ConvGeometry;

/**
 * What a convolution layer is: a square kernel, a stride and Keras padding ('valid' or 'same'). It can also take a
 * per-channel affine map and clamp into its output stage: {@link Graph} folds a frozen batch norm (and the ReLU after
 * it) into the convolution before it when no gradient is recorded.
 */
public abstract class ConvLayer extends Layer {
    protected final int kernelSize, stride;
    protected final String padding;
    protected final Parameter kernel;

    protected ConvLayer(String name, int kernelSize, int stride, String padding, Parameter kernel) {
        super(name);
        this.kernelSize = kernelSize;
        this.stride = stride;
        this.padding = padding;
        this.kernel = addWeight(kernel);
    }

    /** Output channels for an input of {@code inChannels}. */
    protected abstract int outChannels(int inChannels);

    /** False when the layer's own output stage is in the way (a bias). */
    public abstract boolean canFuse();

    /**
     * forward(x), then y = clamp(y·scale[c] + shift[c], lo, hi), in one pass; without gradients only. With a
     * {@code pad} ({top, bottom, left, right}, from a ZeroPadding2d before this layer; null for none) x is
     * convolved as if padded first.
     */
    public abstract Tensor forwardAffine(Tensor x, int[] pad, Tensor scale, Tensor shift, float lo, float hi);

    @Override
    public int[] outputShape(int[] in) {
        int out = outChannels(in[3]);
        ConvGeometry g = ConvGeometry.of(in[0], in[1], in[2], in[3], kernelSize, stride, padding, out);
        return new int[] {in[0], g.outH(), g.outW(), out};
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

    /** The kernel: {@code kernel:0} (kh×kw×cin×cout) or {@code depthwise_kernel:0} (kh×kw×c×1). */
    public Parameter kernel() {
        return kernel;
    }
}
