package pinkcnn.engine.ops;

import pinkcnn.engine.Autograd;
import pinkcnn.engine.Tensor;
import pinkcnn.engine.backend.Backend;

/** y = x + bias, the bias broadcast over every axis but the last (channels). */
public final class BiasAdd {
    private BiasAdd() {}

    public static Tensor apply(Tensor x, Tensor bias) {
        int c = x.dim(-1), rows = (int) (x.size() / c);
        if (bias.size() != c) throw new IllegalArgumentException("bias of " + bias.size() + " for " + c + " channels");
        Backend b = x.backend();
        Tensor y = Tensor.empty(b, x.shape());
        b.biasAdd(rows, c, x.storage(), bias.storage(), y.storage());
        Autograd.record(y, new Tensor[] {x, bias}, () -> {
            if (x.requiresGrad()) b.axpy(x.size(), 1f, y.gradStorage(), x.gradStorage());
            if (bias.requiresGrad()) b.biasGrad(rows, c, y.gradStorage(), bias.gradStorage());
        });
        return y;
    }
}
