package pinkcnn.engine.nn;

import pinkcnn.engine.Tensor;
import pinkcnn.engine.ops.Functional;

/** Keras ReLU with an optional max value: {@code ReLU(6.)} is MobileNetV2's ReLU6. */
public final class ReLU extends Layer {
    private final float maxValue;

    public ReLU(String name, float maxValue) {
        super(name);
        this.maxValue = maxValue;
    }

    public static ReLU relu6(String name) {
        return new ReLU(name, 6f);
    }

    public float maxValue() {
        return maxValue;
    }

    @Override
    public Tensor forward(Tensor x) {
        return Functional.relu(x, maxValue);
    }

    @Override
    public int[] outputShape(int[] in) {
        return in.clone();
    }
}
