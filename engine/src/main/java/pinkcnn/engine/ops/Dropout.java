package pinkcnn.engine.ops;

import pinkcnn.engine.Autograd;
import pinkcnn.engine.Tensor;
import pinkcnn.engine.backend.Backend;

/**
 * Inverted dropout: each element is kept with probability 1 − rate and scaled by 1/(1 − rate), so the expected
 * output equals the input and inference needs no rescaling. The mask is a pure function of (seed, index).
 */
public final class Dropout {
    private Dropout() {}

    public static Tensor apply(Tensor x, float rate, long seed) {
        if (rate < 0f || rate >= 1f) throw new IllegalArgumentException("dropout rate must be in [0, 1): " + rate);
        Backend b = x.backend();
        Tensor y = Tensor.empty(b, x.shape());
        Tensor mask = Tensor.empty(b, x.shape());
        b.dropout(x.size(), rate, seed, x.storage(), mask.storage(), y.storage());
        Autograd.record(y, new Tensor[] {x}, () -> b.mulGrad(x.size(), y.gradStorage(), mask.storage(), x.gradStorage()));
        return y;
    }
}
