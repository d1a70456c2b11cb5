package pinkcnn.engine.nn;

import java.util.Random;
import pinkcnn.engine.Tensor;
import pinkcnn.engine.backend.Backend;
import pinkcnn.engine.ops.Functional;

/** Keras Dense: {@code kernel:0} (in×out) and {@code bias:0}, with an optional ReLU. */
public final class Dense extends Layer {
    private final int units;
    private final boolean relu;
    private final Parameter kernel, bias;

    public Dense(Backend b, String name, int inputs, int units, boolean relu, Random rnd) {
        super(name);
        this.units = units;
        this.relu = relu;
        kernel = addWeight(new Parameter("kernel:0",
                Tensor.persistent(b, Init.glorotUniform(rnd, inputs * units, inputs, units), inputs, units), true));
        bias = addWeight(new Parameter("bias:0", Tensor.persistent(b, new float[units], units), true));
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor y = Functional.dense(x, kernel.value(), bias.value());
        return relu ? Functional.relu(y, Float.POSITIVE_INFINITY) : y;
    }

    @Override
    public int[] outputShape(int[] in) {
        return new int[] {in[0], units};
    }

    public Parameter kernel() {
        return kernel;
    }

    public Parameter bias() {
        return bias;
    }

    public int units() {
        return units;
    }

    /** True when a ReLU follows the affine map. */
    public boolean relu() {
        return relu;
    }
}
