package pinkcnn.trainer.data;

import java.util.SplittableRandom;

/**
 * Splits each class separately in the same proportions (stratification), so every split sees every class in the
 * dataset's ratio. Sizes are exact and reproducible: class of {@code n} photos with ratios r gets
 * {@code floor(n · rᵢ / Σr)} photos per split, and the few left over go one each to the splits with the largest
 * fractional remainders (ties: train, dev, test). Which photo goes where is a seeded shuffle.
 */
public final class StratifiedSplit {

    /** Relative sizes of train, dev and test, e.g. 60,20,20. */
    public record Ratios(int train, int dev, int test) {

        public Ratios {
            if (train < 1 || dev < 1 || test < 1) {
                throw new IllegalArgumentException("every split needs a positive share, got " + train + "," + dev + "," + test);
            }
        }

        /** Parses "60,20,20". */
        public static Ratios parse(String s) {
            String[] parts = s.trim().split("\\s*[,:/]\\s*");
            if (parts.length != 3) throw new IllegalArgumentException("expected train,dev,test shares such as 60,20,20, got '" + s + "'");
            try {
                return new Ratios(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]), Integer.parseInt(parts[2]));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("expected whole-number shares such as 60,20,20, got '" + s + "'");
            }
        }

        int[] shares() {
            return new int[] {train, dev, test};
        }

        @Override
        public String toString() {
            return train + "," + dev + "," + test;
        }
    }

    private StratifiedSplit() {
    }

    /** How many of {@code n} photos go to train, dev and test. */
    public static int[] counts(int n, Ratios ratios) {
        int[] shares = ratios.shares();
        long total = 0;
        for (int s : shares) total += s;
        int[] counts = new int[3];
        long[] remainders = new long[3];
        int assigned = 0;
        for (int i = 0; i < 3; i++) {
            long exact = (long) n * shares[i];            // n · rᵢ / Σr, as quotient and remainder
            counts[i] = (int) (exact / total);
            remainders[i] = exact % total;
            assigned += counts[i];
        }
        for (int left = n - assigned; left > 0; left--) {
            int best = -1;
            for (int i = 0; i < 3; i++) if (best < 0 || remainders[i] > remainders[best]) best = i;
            counts[best]++;
            remainders[best] = -1;                          // at most one extra per split
        }
        return counts;
    }

    /** The fewest photos a class needs so that every split gets at least one. */
    public static int minimumPerClass(Ratios ratios) {
        int n = 3;
        while (true) {
            int[] c = counts(n, ratios);
            if (c[0] > 0 && c[1] > 0 && c[2] > 0) return n;
            n++;
        }
    }

    /**
     * The split of each of a class's {@code n} photos (index i in the caller's order), seeded by {@code seed} and the
     * class label so classes are shuffled independently.
     */
    public static Split[] assign(int n, Ratios ratios, long seed, int label) {
        int[] order = shuffled(n, new SplittableRandom(Seeds.mix(seed, 0x5151L, label)));
        int[] counts = counts(n, ratios);
        Split[] out = new Split[n];
        int k = 0;
        for (Split split : Split.values()) {
            for (int c = 0; c < counts[split.ordinal()]; c++) out[order[k++]] = split;
        }
        return out;
    }

    /** A Fisher–Yates permutation of 0..n-1. */
    static int[] shuffled(int n, SplittableRandom rng) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}
