package pinkcnn.engine.ops;

import pinkcnn.engine.Autograd;
import pinkcnn.engine.Tensor;
import pinkcnn.engine.backend.Backend;

/** Mean over the spatial axes: N×H×W×C → N×C. */
public final class GlobalAvgPool {
    private GlobalAvgPool() {}

    public static Tensor apply(Tensor x) {
        Shapes.requireRank(x, 4, "global average pooling input");
        int n = x.dim(0), hw = x.dim(1) * x.dim(2), c = x.dim(3);
        Backend b = x.backend();
        Tensor y = Tensor.empty(b, n, c);
        b.globalAvgPool(n, hw, c, x.storage(), y.storage());
        Autograd.record(y, new Tensor[] {x}, () -> b.globalAvgPoolGrad(n, hw, c, y.gradStorage(), x.gradStorage()));
        return y;
    }
}
