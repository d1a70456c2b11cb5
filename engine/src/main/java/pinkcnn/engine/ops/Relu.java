package pinkcnn.engine.ops;

import pinkcnn.engine.Autograd;
import pinkcnn.engine.Tensor;
import pinkcnn.engine.backend.Backend;

/** y = min(max(x, 0), cap): ReLU with cap = +∞, ReLU6 with cap = 6 (MobileNetV2's activation). */
public final class Relu {
    private Relu() {}

    public static Tensor apply(Tensor x, float cap) {
        Backend b = x.backend();
        Tensor y = Tensor.empty(b, x.shape());
        b.relu(x.size(), cap, x.storage(), y.storage());
        Autograd.record(y, new Tensor[] {x}, () -> b.reluGrad(x.size(), cap, x.storage(), y.gradStorage(), x.gradStorage()));
        return y;
    }

    public static Tensor relu(Tensor x) {
        return apply(x, Float.POSITIVE_INFINITY);
    }

    public static Tensor relu6(Tensor x) {
        return apply(x, 6f);
    }
}
