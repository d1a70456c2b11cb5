package pinkcnn.engine.ops;

import pinkcnn.engine.Autograd;
import pinkcnn.engine.Tensor;
import pinkcnn.engine.backend.Backend;

/** The sum of all elements, a scalar; its gradient broadcasts the upstream value to every element. */
public final class Sum {
    private Sum() {}

    public static Tensor apply(Tensor x) {
        Backend b = x.backend();
        Tensor y = Tensor.scalar(b, b.sum(x.size(), x.storage()));
        Autograd.record(y, new Tensor[] {x}, () -> {
            Tensor upstream = Tensor.zeros(b, x.shape());
            b.fill(upstream.storage(), y.gradArray()[0]);
            b.axpy(x.size(), 1f, upstream.storage(), x.gradStorage());
        });
        return y;
    }
}
