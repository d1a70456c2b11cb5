package pinkcnn.engine.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/** Vectorised inner loops over contiguous runs of floats (one NHWC pixel's channels, one row). */
final class VectorMath {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    private VectorMath() {}

    /** y[yi..yi+len) += x[xi..]·w[wi..] */
    static void fma(float[] y, int yi, float[] x, int xi, float[] w, int wi, int len) {
        int c = 0;
        for (; c + L <= len; c += L) {
            FloatVector.fromArray(S, x, xi + c).fma(FloatVector.fromArray(S, w, wi + c), FloatVector.fromArray(S, y, yi + c))
                    .intoArray(y, yi + c);
        }
        if (c < len) {
            VectorMask<Float> m = S.indexInRange(c, len);
            FloatVector.fromArray(S, x, xi + c, m).fma(FloatVector.fromArray(S, w, wi + c, m), FloatVector.fromArray(S, y, yi + c, m))
                    .intoArray(y, yi + c, m);
        }
    }

    /** y[yi..yi+len) += x[xi..] */
    static void add(float[] y, int yi, float[] x, int xi, int len) {
        int c = 0;
        for (; c + L <= len; c += L) {
            FloatVector.fromArray(S, y, yi + c).add(FloatVector.fromArray(S, x, xi + c)).intoArray(y, yi + c);
        }
        for (; c < len; c++) y[yi + c] += x[xi + c];
    }
}
