package pinkcnn.engine.nn;

import pinkcnn.engine.Tensor;
import pinkcnn.engine.ops.Functional;

/** Keras Add of two inputs of equal shape (MobileNetV2's residual connections). */
public final class Add extends Layer {
    public Add(String name) {
        super(name);
    }

    public Tensor forward(Tensor a, Tensor b) {
        return Functional.add(a, b);
    }

    @Override
    public Tensor forward(Tensor x) {
        throw new UnsupportedOperationException(name() + " adds two inputs: call forward(a, b)");
    }

    @Override
    public int[] outputShape(int[] in) {
        return in.clone();
    }
}
