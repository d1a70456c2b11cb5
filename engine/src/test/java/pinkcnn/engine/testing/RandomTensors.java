package pinkcnn.engine.testing;

import java.util.Random;
import pinkcnn.engine.Tensor;
import pinkcnn.engine.backend.Backend;

/** Seeded random test data. */
public final class RandomTensors {
    private RandomTensors() {}

    public static float[] uniform(Random rnd, int n, float lo, float hi) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = lo + (hi - lo) * rnd.nextFloat();
        return a;
    }

    public static float[] gaussian(Random rnd, int n, float std) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (rnd.nextGaussian() * std);
        return a;
    }

    /** Values with |x| ≥ gap, so that a ±h step never crosses a kink at 0 (ReLU) when h < gap. */
    public static float[] awayFromZero(Random rnd, int n, float gap, float max) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (rnd.nextBoolean() ? 1 : -1) * (gap + (max - gap) * rnd.nextFloat());
        return a;
    }

    /** Distinct values spaced by at least {@code gap}, in random order (max pooling without near-ties). */
    public static float[] distinct(Random rnd, int n, float gap) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (i - n / 2f) * gap;
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            float t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
        return a;
    }

    /** A leaf tensor that requires a gradient. */
    public static Tensor leaf(Backend b, float[] data, int... shape) {
        return Tensor.persistent(b, data, shape).requiresGrad(true);
    }
}
