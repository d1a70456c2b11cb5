package pinkcnn.engine.backend;

/**
 * The sizes of one inverted-residual block (MobileNetV2's building block, Sandler et al. 2018) for
 * {@link Backend#invertedResidual}: an optional 1×1 expansion from {@code cin} to {@code depthwise.cin()} channels,
 * the depthwise convolution {@code depthwise} (on the expanded tensor, with its stride and padding), a 1×1 projection
 * to {@code cout} channels, and the block's input added to the result when {@code residual}. The batch norms come
 * folded into per-channel scales and shifts; {@code expandCap} and {@code depthwiseCap} are the caps of the ReLUs after
 * the first two (6 for ReLU6, +∞ for ReLU); the projection is linear.
 */
public record InvertedResidual(ConvGeometry depthwise, int cin, int cout, boolean expand, float expandCap,
                               float depthwiseCap, boolean residual) {

    public InvertedResidual {
        if (!expand && cin != depthwise.cin()) {
            throw new IllegalArgumentException("a block without expansion has " + depthwise.cin() + " channels, not " + cin);
        }
        if (residual && (cin != cout || depthwise.outH() != depthwise.h() || depthwise.outW() != depthwise.w())) {
            throw new IllegalArgumentException("a residual block keeps its shape: " + this);
        }
    }

    /** The 1×1 expansion as a convolution (meaningful when {@link #expand}). */
    public ConvGeometry expansion() {
        ConvGeometry d = depthwise;
        return new ConvGeometry(d.n(), d.h(), d.w(), cin, 1, 1, 1, 0, 0, 0, 0, d.cin());
    }

    /** The 1×1 projection as a convolution. */
    public ConvGeometry projection() {
        ConvGeometry d = depthwise;
        return new ConvGeometry(d.n(), d.outH(), d.outW(), d.cin(), 1, 1, 1, 0, 0, 0, 0, cout);
    }

    /** Floats of the block's output. */
    public long outputSize() {
        return projection().outputSize();
    }
}
