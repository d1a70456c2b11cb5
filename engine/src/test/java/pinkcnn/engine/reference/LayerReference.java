package pinkcnn.engine.reference;

import java.util.Arrays;
import java.util.Locale;

/**
 * The TF.js output of one named layer for one reference case: shape, statistics (in double), sampled values at
 * fixed flat indices, and, where stored, the full tensor.
 */
public final class LayerReference {

    /** The acceptance rule: max |pinkcnn − reference| ≤ RELATIVE_TOLERANCE · max(1, max |reference|). */
    public static final double RELATIVE_TOLERANCE = 1e-4;

    private final String name;
    private final int[] shape;
    private final String file;
    private final double sum;
    private final double sumAbs;
    private final double min;
    private final double max;
    private final double maxAbs;
    private final long[] sampleIndices;
    private final float[] sampleValues;

    LayerReference(String name, int[] shape, String file, double sum, double sumAbs, double min, double max,
                   double maxAbs, long[] sampleIndices, float[] sampleValues) {
        this.name = name;
        this.shape = shape;
        this.file = file;
        this.sum = sum;
        this.sumAbs = sumAbs;
        this.min = min;
        this.max = max;
        this.maxAbs = maxAbs;
        this.sampleIndices = sampleIndices;
        this.sampleValues = sampleValues;
    }

    public String name() {
        return name;
    }

    /** NHWC (or N×C after a flatten). */
    public int[] shape() {
        return shape.clone();
    }

    public long size() {
        long n = 1;
        for (int d : shape) n *= d;
        return n;
    }

    public boolean hasFullOutput() {
        return file != null;
    }

    /** The full reference output (read each call: callers keep it while they need it). */
    public Activation fullOutput() {
        if (file == null) throw new IllegalStateException(name + ": only statistics are stored for this case");
        return new Activation(shape.clone(), ReferenceCase.floats(file));
    }

    public double sum() {
        return sum;
    }

    public double sumAbs() {
        return sumAbs;
    }

    public double mean() {
        return sum / size();
    }

    public double min() {
        return min;
    }

    public double max() {
        return max;
    }

    public double maxAbs() {
        return maxAbs;
    }

    public long[] sampleIndices() {
        return sampleIndices.clone();
    }

    public float[] sampleValues() {
        return sampleValues.clone();
    }

    /** The allowed max |difference| for this layer. */
    public double tolerance() {
        return RELATIVE_TOLERANCE * Math.max(1, maxAbs);
    }

    /**
     * Compares a computed output (same shape, flattened row-major) with this reference: every element against the
     * full output when it is stored; otherwise the sampled elements, the minimum, the maximum and the mean, all
     * within {@link #tolerance()} (each a consequence of the element-wise rule).
     */
    public Comparison compare(float[] actual) {
        if (actual.length != size()) {
            return new Comparison(name, Double.POSITIVE_INFINITY, tolerance(), -1,
                    "has " + actual.length + " values, the reference " + Arrays.toString(shape) + " has " + size());
        }
        if (hasFullOutput()) {
            float[] ref = fullOutput().data();
            double worst = 0;
            long at = -1;
            for (int i = 0; i < ref.length; i++) {
                double d = Math.abs((double) actual[i] - ref[i]);
                if (!(d <= worst)) { // also catches NaN
                    worst = Double.isNaN(d) ? Double.POSITIVE_INFINITY : d;
                    at = i;
                }
            }
            return new Comparison(name, worst, tolerance(), at, "full output");
        }
        double worst = 0;
        long at = -1;
        for (int i = 0; i < sampleIndices.length; i++) {
            double d = Math.abs((double) actual[(int) sampleIndices[i]] - sampleValues[i]);
            if (!(d <= worst)) {
                worst = Double.isNaN(d) ? Double.POSITIVE_INFINITY : d;
                at = sampleIndices[i];
            }
        }
        double mn = Double.POSITIVE_INFINITY;
        double mx = Double.NEGATIVE_INFINITY;
        double s = 0;
        for (float v : actual) {
            mn = Math.min(mn, v);
            mx = Math.max(mx, v);
            s += v;
        }
        double statsWorst = Math.max(Math.abs(mn - min), Math.max(Math.abs(mx - max), Math.abs(s / size() - mean())));
        if (Double.isNaN(statsWorst)) statsWorst = Double.POSITIVE_INFINITY;
        String what = String.format(Locale.ROOT, "%d samples (worst %.3g), min/max/mean (worst %.3g)",
                sampleIndices.length, worst, statsWorst);
        return new Comparison(name, Math.max(worst, statsWorst), tolerance(), statsWorst > worst ? -1 : at, what);
    }

    /** The outcome of {@link #compare}. */
    public record Comparison(String layer, double maxAbsDiff, double tolerance, long worstIndex, String what) {
        public boolean passes() {
            return maxAbsDiff <= tolerance;
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%s: max |diff| %.3g (tolerance %.3g, %s%s) %s", layer, maxAbsDiff,
                    tolerance, what, worstIndex >= 0 ? ", worst at flat index " + worstIndex : "",
                    passes() ? "ok" : "FAILS");
        }
    }

    @Override
    public String toString() {
        return name + Arrays.toString(shape);
    }
}
