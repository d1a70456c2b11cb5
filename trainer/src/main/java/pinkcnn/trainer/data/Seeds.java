package pinkcnn.trainer.data;

/** Derives independent random seeds from the user's {@code --seed} and the identity of what is being randomised. */
final class Seeds {

    private Seeds() {
    }

    /** SplitMix64's finaliser over the inputs: a different, well-mixed seed for each combination. */
    static long mix(long... parts) {
        long h = 0x9E3779B97F4A7C15L;
        for (long p : parts) {
            h ^= p;
            h *= 0xBF58476D1CE4E5B9L;
            h ^= h >>> 31;
            h *= 0x94D049BB133111EBL;
            h ^= h >>> 29;
        }
        return h;
    }

    /** The first 16 hex digits of a SHA-256 as a number. */
    static long fromHex(String sha256) {
        return Long.parseUnsignedLong(sha256.substring(0, 16), 16);
    }
}
