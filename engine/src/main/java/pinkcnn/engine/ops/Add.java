package pinkcnn.engine.ops;

import pinkcnn.engine.Autograd;
import pinkcnn.engine.Tensor;
import pinkcnn.engine.backend.Backend;

/** Elementwise a + b of equal shapes (MobileNetV2's residual connections; sums of losses). */
public final class Add {
    private Add() {}

    public static Tensor apply(Tensor a, Tensor b) {
        Shapes.requireSameShape(a, b, "add");
        Backend be = a.backend();
        Tensor y = Tensor.empty(be, a.shape());
        be.add(a.size(), a.storage(), b.storage(), y.storage());
        Autograd.record(y, new Tensor[] {a, b}, () -> {
            if (a.requiresGrad()) be.axpy(a.size(), 1f, y.gradStorage(), a.gradStorage());
            if (b.requiresGrad()) be.axpy(b.size(), 1f, y.gradStorage(), b.gradStorage());
        });
        return y;
    }
}
