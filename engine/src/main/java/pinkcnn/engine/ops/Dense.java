package pinkcnn.engine.ops;

import pinkcnn.engine.Autograd;
import pinkcnn.engine.Tensor;
import pinkcnn.engine.backend.Backend;

/** y = x·W + b for x of shape N×in, W in×out (the Keras layout), b out (may be null). */
public final class Dense {
    private Dense() {}

    public static Tensor apply(Tensor x, Tensor kernel, Tensor bias) {
        Shapes.requireRank(x, 2, "dense input");
        int n = x.dim(0), in = x.dim(1), out = kernel.dim(1);
        if (kernel.dim(0) != in) throw new IllegalArgumentException("dense kernel expects " + kernel.dim(0) + " inputs, got " + in);
        Backend b = x.backend();
        Tensor y = Tensor.empty(b, n, out);
        b.gemm(false, false, n, out, in, 1f, x.storage(), 0, in, kernel.storage(), 0, out, 0f, y.storage(), 0, out);
        if (bias != null) b.biasAdd(n, out, y.storage(), bias.storage(), y.storage());
        Autograd.record(y, new Tensor[] {x, kernel, bias}, () -> {
            if (x.requiresGrad())       // dx += dy·Wᵀ
                b.gemm(false, true, n, in, out, 1f, y.gradStorage(), 0, out, kernel.storage(), 0, out, 1f, x.gradStorage(), 0, in);
            if (kernel.requiresGrad())  // dW += xᵀ·dy
                b.gemm(true, false, in, out, n, 1f, x.storage(), 0, in, y.gradStorage(), 0, out, 1f, kernel.gradStorage(), 0, out);
            if (bias != null && bias.requiresGrad()) b.biasGrad(n, out, y.gradStorage(), bias.gradStorage());
        });
        return y;
    }
}
