package pinkcnn.engine.ops;

import pinkcnn.engine.Autograd;
import pinkcnn.engine.Tensor;
import pinkcnn.engine.backend.Backend;
import pinkcnn.engine.backend.ConvGeometry;

/** 2-D convolution of an NHWC input with an HWIO kernel (square, Keras 'valid' or 'same' padding). */
public final class Conv2d {
    private Conv2d() {}

    public static Tensor apply(Tensor x, Tensor kernel, int stride, String padding) {
        ConvGeometry g = geometry(x, kernel, stride, padding);
        Backend b = x.backend();
        Tensor y = Tensor.empty(b, g.n(), g.outH(), g.outW(), g.cout());
        b.conv2d(g, x.storage(), kernel.storage(), y.storage());
        Autograd.record(y, new Tensor[] {x, kernel}, () -> {
            if (x.requiresGrad()) b.conv2dInputGrad(g, y.gradStorage(), kernel.storage(), x.gradStorage());
            if (kernel.requiresGrad()) b.conv2dWeightGrad(g, x.storage(), y.gradStorage(), kernel.gradStorage());
        });
        return y;
    }

    /**
     * The convolution followed by y = clamp(y·scale[co] + shift[co], lo, hi) in its output stage: frozen batch norm
     * and the ReLU after it folded into the convolution ({@link pinkcnn.engine.nn.Graph} does this for passes without
     * gradients; there is no backward).
     */
    public static Tensor applyAffine(Tensor x, Tensor kernel, int stride, String padding, Tensor scale, Tensor shift,
                                     float lo, float hi) {
        Autograd.requireOff("conv2d with a fused output stage");
        ConvGeometry g = geometry(x, kernel, stride, padding);
        Tensor y = Tensor.empty(x.backend(), g.n(), g.outH(), g.outW(), g.cout());
        x.backend().conv2dAffine(g, x.storage(), kernel.storage(), scale.storage(), shift.storage(), lo, hi, y.storage());
        return y;
    }

    private static ConvGeometry geometry(Tensor x, Tensor kernel, int stride, String padding) {
        Shapes.requireRank(x, 4, "conv2d input");
        Shapes.requireRank(kernel, 4, "conv2d kernel (HWIO)");
        if (kernel.dim(0) != kernel.dim(1)) throw new IllegalArgumentException("square kernels only: " + kernel);
        if (kernel.dim(2) != x.dim(3)) {
            throw new IllegalArgumentException("conv2d kernel expects " + kernel.dim(2) + " input channels, input has " + x.dim(3));
        }
        return ConvGeometry.of(x.dim(0), x.dim(1), x.dim(2), x.dim(3), kernel.dim(0), stride, padding, kernel.dim(3));
    }
}
