package pinkcnn.engine.reference;

/**
 * The reference inputs' pseudo-random numbers (see ../shared/reference/random_lcg/README.md):
 * s ← (1664525·s + 1013904223) mod 2³², value = float32(s / 2³² · 2 − 1), one value per element in NHWC order.
 */
public final class Lcg {

    private Lcg() {}

    /** {@code count} values from {@code seed}, the first one from the first updated state. */
    public static float[] values(long seed, int count) {
        float[] out = new float[count];
        long s = seed & 0xffffffffL;
        for (int i = 0; i < count; i++) {
            s = (1664525L * s + 1013904223L) & 0xffffffffL;
            out[i] = (float) (s / 4294967296.0 * 2 - 1);
        }
        return out;
    }

    /** One h×w×c image (NHWC with N = 1). */
    public static float[] image(long seed, int h, int w, int c) {
        return values(seed, h * w * c);
    }
}
