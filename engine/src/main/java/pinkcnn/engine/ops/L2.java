package pinkcnn.engine.ops;

import pinkcnn.engine.Autograd;
import pinkcnn.engine.Tensor;
import pinkcnn.engine.backend.Backend;

/** L2 penalty λ·Σx² (Keras' {@code regularizers.l2(λ)}), a scalar; its gradient is 2λx. */
public final class L2 {
    private L2() {}

    public static Tensor apply(Tensor x, float lambda) {
        Backend b = x.backend();
        Tensor y = Tensor.scalar(b, lambda * b.sumSquares(x.size(), x.storage()));
        Autograd.record(y, new Tensor[] {x}, () -> {
            float upstream = y.gradArray()[0];
            b.axpy(x.size(), 2f * lambda * upstream, x.storage(), x.gradStorage());
        });
        return y;
    }
}
