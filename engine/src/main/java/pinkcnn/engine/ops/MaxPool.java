package pinkcnn.engine.ops;

import pinkcnn.engine.Autograd;
import pinkcnn.engine.Tensor;
import pinkcnn.engine.backend.Backend;
import pinkcnn.engine.backend.ConvGeometry;

/** Max pooling with a k×k window and a stride (Keras 'valid' or 'same' padding). */
public final class MaxPool {
    private MaxPool() {}

    public static Tensor apply(Tensor x, int k, int stride, String padding) {
        Shapes.requireRank(x, 4, "max pooling input");
        ConvGeometry g = ConvGeometry.of(x.dim(0), x.dim(1), x.dim(2), x.dim(3), k, stride, padding, x.dim(3));
        Backend b = x.backend();
        Tensor y = Tensor.empty(b, g.n(), g.outH(), g.outW(), g.cout());
        b.maxPool(g, x.storage(), y.storage());
        Autograd.record(y, new Tensor[] {x}, () -> b.maxPoolGrad(g, x.storage(), y.gradStorage(), x.gradStorage()));
        return y;
    }
}
