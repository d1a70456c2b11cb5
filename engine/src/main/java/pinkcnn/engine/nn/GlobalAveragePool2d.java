package pinkcnn.engine.nn;

import pinkcnn.engine.Tensor;
import pinkcnn.engine.ops.Functional;

/** Keras GlobalAveragePooling2D: N×H×W×C → N×C. */
public final class GlobalAveragePool2d extends Layer {
    public GlobalAveragePool2d(String name) {
        super(name);
    }

    @Override
    public Tensor forward(Tensor x) {
        return Functional.globalAveragePool2d(x);
    }

    @Override
    public int[] outputShape(int[] in) {
        return new int[] {in[0], in[3]};
    }
}
