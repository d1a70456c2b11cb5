package pinkcnn.engine.backend;

/**
 * The dropout mask as a pure function of (seed, index), so every backend draws the same mask without sharing a random
 * stream: SplitMix64's finaliser of {@code seed + (i+1)·φ}, keeping its top 24 bits as a uniform u in [0, 2²⁴).
 * Element i is kept iff u ≥ rate·2²⁴. The OpenCL kernel repeats this arithmetic with {@code ulong}.
 */
public final class DropoutMask {
    private DropoutMask() {}

    public static int hash(long seed, long i) {
        long z = seed + (i + 1) * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z ^= (z >>> 31);
        return (int) (z >>> 40);
    }

    /** The integer threshold compared with {@link #hash}: rate·2²⁴ rounded down. */
    public static int threshold(float rate) {
        return (int) (rate * (double) (1 << 24));
    }

    public static boolean keep(long seed, long i, float rate) {
        return hash(seed, i) >= threshold(rate);
    }
}
