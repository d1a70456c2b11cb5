package pinkcnn.engine.nn;

import pinkcnn.engine.Tensor;
import pinkcnn.engine.backend.ConvGeometry;
import pinkcnn.engine.ops.Functional;

/** Keras MaxPooling2D (square pool, stride, 'valid' or 'same'). */
public final class MaxPool2d extends Layer {
    private final int pool, stride;
    private final String padding;

    public MaxPool2d(String name, int pool, int stride, String padding) {
        super(name);
        this.pool = pool;
        this.stride = stride;
        this.padding = padding;
    }

    @Override
    public Tensor forward(Tensor x) {
        return Functional.maxPool2d(x, pool, stride, padding);
    }

    @Override
    public int[] outputShape(int[] in) {
        ConvGeometry g = ConvGeometry.of(in[0], in[1], in[2], in[3], pool, stride, padding, in[3]);
        return new int[] {in[0], g.outH(), g.outW(), in[3]};
    }

    public int pool() {
        return pool;
    }

    public int stride() {
        return stride;
    }

    /** Keras padding: 'valid' or 'same'. */
    public String padding() {
        return padding;
    }
}
