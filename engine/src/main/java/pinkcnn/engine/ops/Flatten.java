package pinkcnn.engine.ops;

import pinkcnn.engine.Tensor;

/** N×… → N×(product of the rest), in row-major (NHWC) order as Keras' Flatten. */
public final class Flatten {
    private Flatten() {}

    public static Tensor apply(Tensor x) {
        return x.reshape(x.dim(0), -1);
    }
}
