package pinkcnn.engine.nn;

import java.util.Random;

/** Weight initialisers as Keras defines them. */
public final class Init {
    private Init() {}

    /** Glorot (Xavier) uniform: U(−l, l) with l = √(6 / (fanIn + fanOut)), Keras' default for kernels. */
    public static float[] glorotUniform(Random rnd, int size, int fanIn, int fanOut) {
        double limit = Math.sqrt(6.0 / (fanIn + fanOut));
        float[] w = new float[size];
        for (int i = 0; i < size; i++) w[i] = (float) ((rnd.nextDouble() * 2 - 1) * limit);
        return w;
    }

    public static float[] constant(int size, float value) {
        float[] w = new float[size];
        java.util.Arrays.fill(w, value);
        return w;
    }
}
