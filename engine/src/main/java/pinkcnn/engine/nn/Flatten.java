package pinkcnn.engine.nn;

import pinkcnn.engine.Tensor;
import pinkcnn.engine.ops.Functional;

/** Keras Flatten: N×… → N×(rest), row-major. */
public final class Flatten extends Layer {
    public Flatten(String name) {
        super(name);
    }

    @Override
    public Tensor forward(Tensor x) {
        return Functional.flatten(x);
    }

    @Override
    public int[] outputShape(int[] in) {
        long n = 1;
        for (int i = 1; i < in.length; i++) n *= in[i];
        return new int[] {in[0], Math.toIntExact(n)};
    }
}
