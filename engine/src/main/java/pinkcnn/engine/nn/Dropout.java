package pinkcnn.engine.nn;

import pinkcnn.engine.Tensor;
import pinkcnn.engine.ops.Functional;

/** Keras Dropout: active only in training mode; each call draws a new mask from (seed, call number). */
public final class Dropout extends Layer {
    private final float rate;
    private final long seed;
    private long calls;

    public Dropout(String name, float rate, long seed) {
        super(name);
        this.rate = rate;
        this.seed = seed;
    }

    @Override
    public Tensor forward(Tensor x) {
        if (!training || rate == 0f) return x;
        return Functional.dropout(x, rate, seed * 0x5DEECE66DL + (calls++));
    }

    @Override
    public int[] outputShape(int[] in) {
        return in.clone();
    }

    /** Restarts the mask sequence (for reproducible resumed runs). */
    public void setCalls(long calls) {
        this.calls = calls;
    }

    public float rate() {
        return rate;
    }
}
