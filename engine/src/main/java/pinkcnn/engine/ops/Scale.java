package pinkcnn.engine.ops;

import pinkcnn.engine.Autograd;
import pinkcnn.engine.Tensor;
import pinkcnn.engine.backend.Backend;

/** y = α·x for a constant α. */
public final class Scale {
    private Scale() {}

    public static Tensor apply(Tensor x, float alpha) {
        Backend b = x.backend();
        Tensor y = Tensor.empty(b, x.shape());
        b.scale(x.size(), alpha, x.storage(), y.storage());
        Autograd.record(y, new Tensor[] {x}, () -> b.axpy(x.size(), alpha, y.gradStorage(), x.gradStorage()));
        return y;
    }
}
