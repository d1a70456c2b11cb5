package pinkcnn.engine.ops;

import pinkcnn.engine.Autograd;
import pinkcnn.engine.Tensor;
import pinkcnn.engine.backend.Backend;
import pinkcnn.engine.backend.ConvGeometry;

/** Depthwise 2-D convolution (multiplier 1): one kh×kw filter per channel; kernel shape kh×kw×c (or Keras' kh×kw×c×1). */
public final class DepthwiseConv2d {
    private DepthwiseConv2d() {}

    public static Tensor apply(Tensor x, Tensor kernel, int stride, String padding) {
        ConvGeometry g = geometry(x, kernel, stride, padding);
        Backend b = x.backend();
        Tensor y = Tensor.empty(b, g.n(), g.outH(), g.outW(), g.cout());
        b.depthwiseConv2d(g, x.storage(), kernel.storage(), y.storage());
        Autograd.record(y, new Tensor[] {x, kernel}, () -> {
            if (x.requiresGrad()) b.depthwiseConv2dInputGrad(g, y.gradStorage(), kernel.storage(), x.gradStorage());
            if (kernel.requiresGrad()) b.depthwiseConv2dWeightGrad(g, x.storage(), y.gradStorage(), kernel.gradStorage());
        });
        return y;
    }

    /** The depthwise convolution with the fused output stage of {@link Conv2d#applyAffine} (no backward). */
    public static Tensor applyAffine(Tensor x, Tensor kernel, int stride, String padding, Tensor scale, Tensor shift,
                                     float lo, float hi) {
        Autograd.requireOff("depthwise conv2d with a fused output stage");
        ConvGeometry g = geometry(x, kernel, stride, padding);
        Tensor y = Tensor.empty(x.backend(), g.n(), g.outH(), g.outW(), g.cout());
        x.backend().depthwiseConv2dAffine(g, x.storage(), kernel.storage(), scale.storage(), shift.storage(), lo, hi,
                y.storage());
        return y;
    }

    private static ConvGeometry geometry(Tensor x, Tensor kernel, int stride, String padding) {
        Shapes.requireRank(x, 4, "depthwise input");
        int k = kernel.dim(0), c = kernel.dim(2);
        if (kernel.dim(1) != k || c != x.dim(3) || (kernel.rank() == 4 && kernel.dim(3) != 1) || kernel.rank() < 3) {
            throw new IllegalArgumentException("depthwise kernel " + java.util.Arrays.toString(kernel.shape())
                    + " does not fit input " + java.util.Arrays.toString(x.shape()));
        }
        return ConvGeometry.of(x.dim(0), x.dim(1), x.dim(2), c, k, stride, padding, c);
    }
}
