package pinkcnn.engine.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
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

    /**
     * One row of batch norm's backward: dx[at..at+len) += dy·scale (dx null: skipped), sumDy += dy and
     * sumDyX += dy·x over the row's channels.
     */
    static void affineGradRow(float[] dy, float[] x, int at, float[] scale, float[] dx, float[] sumDy, float[] sumDyX,
                              int len) {
        int c = 0;
        for (; c + L <= len; c += L) {
            FloatVector g = FloatVector.fromArray(S, dy, at + c);
            if (dx != null) g.fma(FloatVector.fromArray(S, scale, c), FloatVector.fromArray(S, dx, at + c)).intoArray(dx, at + c);
            g.add(FloatVector.fromArray(S, sumDy, c)).intoArray(sumDy, c);
            g.fma(FloatVector.fromArray(S, x, at + c), FloatVector.fromArray(S, sumDyX, c)).intoArray(sumDyX, c);
        }
        for (; c < len; c++) {
            float g = dy[at + c];
            if (dx != null) dx[at + c] += g * scale[c];
            sumDy[c] += g;
            sumDyX[c] += g * x[at + c];
        }
    }

    /**
     * dx[i] += dy[i] where 0 < x[i] < cap, for i in [from, to): ReLU's (cap +∞) or ReLU6's gradient with the mask as
     * a vector compare; as a branch per element it was mispredicted about as often as the mask changes.
     */
    static void reluGrad(float[] x, float[] dy, float[] dx, int from, int to, float cap) {
        int i = from;
        for (; i + L <= to; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, i);
            VectorMask<Float> open = v.compare(VectorOperators.GT, 0f).and(v.compare(VectorOperators.LT, cap));
            FloatVector.fromArray(S, dx, i).add(FloatVector.fromArray(S, dy, i), open).intoArray(dx, i);
        }
        for (; i < to; i++) if (x[i] > 0f && x[i] < cap) dx[i] += dy[i];
    }

    /** y[yi..yi+len) += x[xi..] */
    static void add(float[] y, int yi, float[] x, int xi, int len) {
        int c = 0;
        for (; c + L <= len; c += L) {
            FloatVector.fromArray(S, y, yi + c).add(FloatVector.fromArray(S, x, xi + c)).intoArray(y, yi + c);
        }
        for (; c < len; c++) y[yi + c] += x[xi + c];
    }

    /**
     * y[yi + k] = Σ_t x[xs[t] + k]·w[ws[t] + k] for k in [0, len), or y[yi + k] += that with {@code add}: a register
     * accumulator per vector of channels, so y is read and written once, not once per term.
     */
    static void sumOfProducts(float[] y, int yi, float[] x, int[] xs, float[] w, int[] ws, int taps, int len,
                              boolean add) {
        int c = 0;
        for (; c + L <= len; c += L) {
            FloatVector acc = add ? FloatVector.fromArray(S, y, yi + c) : FloatVector.zero(S);
            for (int t = 0; t < taps; t++) {
                acc = FloatVector.fromArray(S, x, xs[t] + c).fma(FloatVector.fromArray(S, w, ws[t] + c), acc);
            }
            acc.intoArray(y, yi + c);
        }
        if (c < len) {
            VectorMask<Float> m = S.indexInRange(c, len);
            FloatVector acc = add ? FloatVector.fromArray(S, y, yi + c, m) : FloatVector.zero(S);
            for (int t = 0; t < taps; t++) {
                acc = FloatVector.fromArray(S, x, xs[t] + c, m).fma(FloatVector.fromArray(S, w, ws[t] + c, m), acc);
            }
            acc.intoArray(y, yi + c, m);
        }
    }

    /** y[yi..yi+len) = max(y[yi..], x[xi..]) */
    static void max(float[] y, int yi, float[] x, int xi, int len) {
        int c = 0;
        for (; c + L <= len; c += L) {
            FloatVector.fromArray(S, y, yi + c).max(FloatVector.fromArray(S, x, xi + c)).intoArray(y, yi + c);
        }
        for (; c < len; c++) y[yi + c] = Math.max(y[yi + c], x[xi + c]);
    }

    /** y[yi + k] = min(max(x[xi + k]·scale[k] + shift[k], lo), hi) for k in [0, len): one row of a per-channel affine map. */
    static void affineClamp(float[] y, int yi, float[] x, int xi, float[] scale, float[] shift, float lo, float hi, int len) {
        affineClamp(y, yi, x, xi, scale, shift, 0, lo, hi, len);
    }

    /** y[yi+c] = clamp(x[xi+c]·scale[si+c] + shift[si+c], lo, hi) for c in [0, len). */
    static void affineClamp(float[] y, int yi, float[] x, int xi, float[] scale, float[] shift, int si, float lo, float hi,
                            int len) {
        int c = 0;
        for (; c + L <= len; c += L) {
            FloatVector.fromArray(S, x, xi + c).fma(FloatVector.fromArray(S, scale, si + c), FloatVector.fromArray(S, shift, si + c))
                    .max(lo).min(hi).intoArray(y, yi + c);
        }
        for (; c < len; c++) y[yi + c] = Math.min(Math.max(x[xi + c] * scale[si + c] + shift[si + c], lo), hi);
    }
}
