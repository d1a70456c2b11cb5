package pinkcnn.engine.ops;

import pinkcnn.engine.Autograd;
import pinkcnn.engine.Tensor;
import pinkcnn.engine.backend.Backend;

/** Elementwise a ⊙ b of equal shapes. */
public final class Multiply {
    private Multiply() {}

    public static Tensor apply(Tensor a, Tensor b) {
        Shapes.requireSameShape(a, b, "multiply");
        Backend be = a.backend();
        Tensor y = Tensor.empty(be, a.shape());
        be.mul(a.size(), a.storage(), b.storage(), y.storage());
        Autograd.record(y, new Tensor[] {a, b}, () -> {
            if (a.requiresGrad()) be.mulGrad(a.size(), y.gradStorage(), b.storage(), a.gradStorage());
            if (b.requiresGrad()) be.mulGrad(b.size(), y.gradStorage(), a.storage(), b.gradStorage());
        });
        return y;
    }
}
