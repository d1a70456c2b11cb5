package pinkcnn.engine.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import pinkcnn.engine.backend.ConvGeometry;

/**
 * Version 2 of the depthwise forward pass, for 3×3 kernels (all of MobileNetV2's; other sizes run version 1,
 * {@link CpuDepthwise}). Version 1 lists each output pixel's in-bounds taps and then gathers them through index
 * arrays: per pixel an index computation per tap, and the weights and the output stage's scale and shift loaded again
 * for every pixel and vector of channels.
 *
 * <p>Version 2 sweeps one output row for one vector of channels at a time: the nine weight vectors, the scale and
 * the shift stay in registers for the whole row, and every pixel whose three columns of taps are inside the input
 * runs a straight nine multiply-adds with no index arrays. Only the first and last columns check bounds, and a row of
 * taps above or below the input reads a row of zeros instead of branching. Channels past the last full vector go
 * scalar.
 */
final class CpuDepthwise3x3 {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    private final Parallel parallel;
    /** A row of zeros standing in for the padding rows; only read, so all threads share it. */
    private volatile float[] zeros = new float[0];

    CpuDepthwise3x3(Parallel parallel) {
        this.parallel = parallel;
    }

    static boolean handles(ConvGeometry g) {
        return g.kh() == 3 && g.kw() == 3;
    }

    /** y = stage(depthwise(x, w)) ({@code stage} null: none); w is 3×3×c. */
    void forward(ConvGeometry g, float[] x, float[] w, float[] y, OutputStage stage) {
        int c = g.cin(), h = g.h(), wd = g.w(), oh_ = g.outH(), s = g.stride(), pt = g.padTop();
        OutputStage st = stage != null ? stage : OutputStage.identity(c);
        float[] zero = zeroRow(wd * c);
        int[] interior = interior(g);
        int grain = 4.0 * (g.inputSize() + g.outputSize()) < 2e5 ? Integer.MAX_VALUE : 1;
        parallel.forRange(g.n() * oh_, grain, (from, to) -> {
            float[][] rows = new float[3][];
            int[] offs = new int[3];
            for (int r = from; r < to; r++) {
                int n = r / oh_, oh = r % oh_;
                for (int i = 0; i < 3; i++) {
                    int ih = oh * s - pt + i;
                    boolean inside = ih >= 0 && ih < h;
                    rows[i] = inside ? x : zero;
                    offs[i] = inside ? (n * h + ih) * wd * c : 0;
                }
                outputRow(g, interior, rows, offs, w, st, y, r * g.outW() * c);
            }
        });
    }

    /**
     * The output columns [lo, hi) whose three taps iw = ow·s − padLeft + {0, 1, 2} are all inside the input: the
     * ones {@link #outputRow} runs without bounds checks.
     */
    static int[] interior(ConvGeometry g) {
        int s = g.stride(), pl = g.padLeft(), ow_ = g.outW(), wd = g.w();
        int lo = Math.min(ow_, (pl + s - 1) / s);
        int hi = Math.max(lo, Math.min(ow_, wd - 3 + pl >= 0 ? (wd - 3 + pl) / s + 1 : 0));
        return new int[] {lo, hi};
    }

    /**
     * One output row, all channels, at {@code y[yRow…]}: {@code rows[i]} at {@code offs[i]} is input row i of the
     * window (the image's row, or a row of zeros above or below it), each {@code g.w() × g.cin()} floats.
     */
    static void outputRow(ConvGeometry g, int[] interior, float[][] rows, int[] offs, float[] w, OutputStage st,
                          float[] y, int yRow) {
        int c = g.cin(), cb = 0;
        for (; cb + L <= c; cb += L) {
            row(rows[0], offs[0], rows[1], offs[1], rows[2], offs[2], w, c, cb, y, yRow, g.outW(), interior[0],
                    interior[1], g.stride(), g.padLeft(), g.w(), st.scale(), st.shift(), st.lo(), st.hi());
        }
        if (cb < c) rowTail(rows, offs, w, c, cb, y, yRow, g.outW(), g.stride(), g.padLeft(), g.w(), st);
    }

    /** Zeros for a padding row of {@code length} floats (shared, never written). */
    float[] zeroRow(int length) {
        float[] z = zeros;
        if (z.length < length) zeros = z = new float[length];
        return z;
    }

    /** One output row for channels [cb, cb + L): x0, x1, x2 are the three input rows (or zero rows) at o0, o1, o2. */
    private static void row(float[] x0, int o0, float[] x1, int o1, float[] x2, int o2, float[] w, int c, int cb,
                            float[] y, int yRow, int ow_, int inLo, int inHi, int s, int pl, int wd,
                            float[] scale, float[] shift, float lo, float hi) {
        // the usual edges, the first column's left taps and the last column's right taps outside the input, are
        // computed by interior() with the weights it holds in registers; any other edge column here
        boolean left = s == 1 && pl == 1 && inLo == 1 && wd >= 2, right = s == 1 && inHi == ow_ - 1 && inHi - pl + 2 == wd && wd >= 2;
        for (int ow = left ? 1 : 0; ow < inLo; ow++) edge(x0, o0, x1, o1, x2, o2, w, c, cb, y, yRow, ow, s, pl, wd, scale, shift, lo, hi);
        int done = s == 1 ? interiorStride1(x0, o0, x1, o1, x2, o2, w, c, cb, y, yRow, inLo, inHi, pl, left, right, scale,
                shift, lo, hi) : inLo;
        interior(x0, o0, x1, o1, x2, o2, w, c, cb, y, yRow, done, inHi, s, pl, scale, shift, lo, hi);
        for (int ow = right ? inHi + 1 : inHi; ow < ow_; ow++) edge(x0, o0, x1, o1, x2, o2, w, c, cb, y, yRow, ow, s, pl, wd, scale, shift, lo, hi);
    }

    /**
     * Output columns [from, to) of {@link #row} at stride 1, all nine taps inside the input: the weights stay in
     * registers, and four neighbouring output pixels are computed together, sharing the input columns their windows
     * overlap on (18 loads for four pixels instead of 36). With {@code left} and {@code right} it also computes the
     * usual edge columns from − 1 and to, whose outer column of taps is the padding, with the weights it holds: on
     * 14- and 7-wide rows those two columns are a seventh to a third of the row, and {@link #edgeTwo} reloaded the
     * weights for each. Returns the first column it left to {@link #interior} (at most three). A method of its own: in
     * one with the stride-2 loop C2 compiled both worse.
     */
    private static int interiorStride1(float[] x0, int o0, float[] x1, int o1, float[] x2, int o2, float[] w, int c, int cb,
                                        float[] y, int yRow, int from, int to, int pl, boolean left, boolean right,
                                        float[] scale, float[] shift, float lo, float hi) {
        FloatVector w00 = FloatVector.fromArray(S, w, cb), w01 = FloatVector.fromArray(S, w, c + cb);
        FloatVector w02 = FloatVector.fromArray(S, w, 2 * c + cb), w10 = FloatVector.fromArray(S, w, 3 * c + cb);
        FloatVector w11 = FloatVector.fromArray(S, w, 4 * c + cb), w12 = FloatVector.fromArray(S, w, 5 * c + cb);
        FloatVector w20 = FloatVector.fromArray(S, w, 6 * c + cb), w21 = FloatVector.fromArray(S, w, 7 * c + cb);
        FloatVector w22 = FloatVector.fromArray(S, w, 8 * c + cb);
        FloatVector sc = FloatVector.fromArray(S, scale, cb), sh = FloatVector.fromArray(S, shift, cb);
        FloatVector floor = FloatVector.broadcast(S, lo), cap = FloatVector.broadcast(S, hi);
        if (left) {
            // output column from − 1 = 0: its window's first column is the padding, its other two are input columns 0, 1
            int xl = cb, yl = yRow + (from - 1) * c + cb;
            FloatVector a = FloatVector.fromArray(S, x0, o0 + xl).mul(w01), b = FloatVector.fromArray(S, x1, o1 + xl).mul(w11);
            a = FloatVector.fromArray(S, x2, o2 + xl).fma(w21, a);
            b = FloatVector.fromArray(S, x0, o0 + xl + c).fma(w02, b);
            a = FloatVector.fromArray(S, x1, o1 + xl + c).fma(w12, a);
            b = FloatVector.fromArray(S, x2, o2 + xl + c).fma(w22, b);
            FloatVector v = a.add(b).fma(sc, sh);
            v = v.blend(floor, v.lt(floor));
            v.blend(cap, v.compare(VectorOperators.GT, cap)).intoArray(y, yl);
        }
        if (right) {
            // output column to: its window's last column is past the input, its first two are the input's last two
            int xr = (to - pl) * c + cb, yr = yRow + to * c + cb;
            FloatVector a = FloatVector.fromArray(S, x0, o0 + xr).mul(w00), b = FloatVector.fromArray(S, x1, o1 + xr).mul(w10);
            a = FloatVector.fromArray(S, x2, o2 + xr).fma(w20, a);
            b = FloatVector.fromArray(S, x0, o0 + xr + c).fma(w01, b);
            a = FloatVector.fromArray(S, x1, o1 + xr + c).fma(w11, a);
            b = FloatVector.fromArray(S, x2, o2 + xr + c).fma(w21, b);
            FloatVector v = a.add(b).fma(sc, sh);
            v = v.blend(floor, v.lt(floor));
            v.blend(cap, v.compare(VectorOperators.GT, cap)).intoArray(y, yr);
        }
        int ow = from, xi = (from - pl) * c + cb, yi = yRow + from * c + cb;
        // four neighbouring output pixels read input columns xi + {0 … 5}·c of each row: each column is loaded once
        // and goes into every sum whose window covers it (18 loads for 4 pixels instead of 36)
        for (; ow + 4 <= to; ow += 4, xi += 4 * c, yi += 4 * c) {
            FloatVector a0, a1, a2, a3, v;
            v = FloatVector.fromArray(S, x0, o0 + xi); a0 = v.mul(w00);
            v = FloatVector.fromArray(S, x0, o0 + xi + c); a0 = v.fma(w01, a0); a1 = v.mul(w00);
            v = FloatVector.fromArray(S, x0, o0 + xi + 2 * c); a0 = v.fma(w02, a0); a1 = v.fma(w01, a1); a2 = v.mul(w00);
            v = FloatVector.fromArray(S, x0, o0 + xi + 3 * c); a1 = v.fma(w02, a1); a2 = v.fma(w01, a2); a3 = v.mul(w00);
            v = FloatVector.fromArray(S, x0, o0 + xi + 4 * c); a2 = v.fma(w02, a2); a3 = v.fma(w01, a3);
            v = FloatVector.fromArray(S, x0, o0 + xi + 5 * c); a3 = v.fma(w02, a3);
            v = FloatVector.fromArray(S, x1, o1 + xi); a0 = v.fma(w10, a0);
            v = FloatVector.fromArray(S, x1, o1 + xi + c); a0 = v.fma(w11, a0); a1 = v.fma(w10, a1);
            v = FloatVector.fromArray(S, x1, o1 + xi + 2 * c); a0 = v.fma(w12, a0); a1 = v.fma(w11, a1); a2 = v.fma(w10, a2);
            v = FloatVector.fromArray(S, x1, o1 + xi + 3 * c); a1 = v.fma(w12, a1); a2 = v.fma(w11, a2); a3 = v.fma(w10, a3);
            v = FloatVector.fromArray(S, x1, o1 + xi + 4 * c); a2 = v.fma(w12, a2); a3 = v.fma(w11, a3);
            v = FloatVector.fromArray(S, x1, o1 + xi + 5 * c); a3 = v.fma(w12, a3);
            v = FloatVector.fromArray(S, x2, o2 + xi); a0 = v.fma(w20, a0);
            v = FloatVector.fromArray(S, x2, o2 + xi + c); a0 = v.fma(w21, a0); a1 = v.fma(w20, a1);
            v = FloatVector.fromArray(S, x2, o2 + xi + 2 * c); a0 = v.fma(w22, a0); a1 = v.fma(w21, a1); a2 = v.fma(w20, a2);
            v = FloatVector.fromArray(S, x2, o2 + xi + 3 * c); a1 = v.fma(w22, a1); a2 = v.fma(w21, a2); a3 = v.fma(w20, a3);
            v = FloatVector.fromArray(S, x2, o2 + xi + 4 * c); a2 = v.fma(w22, a2); a3 = v.fma(w21, a3);
            v = FloatVector.fromArray(S, x2, o2 + xi + 5 * c); a3 = v.fma(w22, a3);
            v = a0.fma(sc, sh); v = v.blend(floor, v.lt(floor)); v.blend(cap, v.compare(VectorOperators.GT, cap)).intoArray(y, yi);
            v = a1.fma(sc, sh); v = v.blend(floor, v.lt(floor)); v.blend(cap, v.compare(VectorOperators.GT, cap)).intoArray(y, yi + c);
            v = a2.fma(sc, sh); v = v.blend(floor, v.lt(floor)); v.blend(cap, v.compare(VectorOperators.GT, cap)).intoArray(y, yi + 2 * c);
            v = a3.fma(sc, sh); v = v.blend(floor, v.lt(floor)); v.blend(cap, v.compare(VectorOperators.GT, cap)).intoArray(y, yi + 3 * c);
        }
        return ow;
    }

    /**
     * Output columns [from, to) of {@link #row} at any stride, one pixel at a time, all nine taps inside the input:
     * the weights stay in registers. Two at a time at stride 2 (15 loads for two pixels) was slower than one: with
     * its 15 input vectors, 9 weights and 4 sums live the compiler ran out of vector registers.
     */
    private static void interior(float[] x0, int o0, float[] x1, int o1, float[] x2, int o2, float[] w, int c, int cb,
                                 float[] y, int yRow, int from, int to, int s, int pl,
                                 float[] scale, float[] shift, float lo, float hi) {
        FloatVector w00 = FloatVector.fromArray(S, w, cb), w01 = FloatVector.fromArray(S, w, c + cb);
        FloatVector w02 = FloatVector.fromArray(S, w, 2 * c + cb), w10 = FloatVector.fromArray(S, w, 3 * c + cb);
        FloatVector w11 = FloatVector.fromArray(S, w, 4 * c + cb), w12 = FloatVector.fromArray(S, w, 5 * c + cb);
        FloatVector w20 = FloatVector.fromArray(S, w, 6 * c + cb), w21 = FloatVector.fromArray(S, w, 7 * c + cb);
        FloatVector w22 = FloatVector.fromArray(S, w, 8 * c + cb);
        FloatVector sc = FloatVector.fromArray(S, scale, cb), sh = FloatVector.fromArray(S, shift, cb);
        FloatVector floor = FloatVector.broadcast(S, lo), cap = FloatVector.broadcast(S, hi);
        int ow = from, xi = (from * s - pl) * c + cb, yi = yRow + from * c + cb;
        for (; ow < to; ow++, xi += s * c, yi += c) {
            FloatVector a0 = FloatVector.fromArray(S, x0, o0 + xi).mul(w00);
            FloatVector a1 = FloatVector.fromArray(S, x1, o1 + xi).mul(w10);
            a0 = FloatVector.fromArray(S, x0, o0 + xi + c).fma(w01, a0);
            a1 = FloatVector.fromArray(S, x1, o1 + xi + c).fma(w11, a1);
            a0 = FloatVector.fromArray(S, x0, o0 + xi + 2 * c).fma(w02, a0);
            a1 = FloatVector.fromArray(S, x1, o1 + xi + 2 * c).fma(w12, a1);
            a0 = FloatVector.fromArray(S, x2, o2 + xi).fma(w20, a0);
            a0 = FloatVector.fromArray(S, x2, o2 + xi + c).fma(w21, a0);
            a0 = FloatVector.fromArray(S, x2, o2 + xi + 2 * c).fma(w22, a0);
            FloatVector v = a0.add(a1).fma(sc, sh);
            v = v.blend(floor, v.lt(floor));
            v.blend(cap, v.compare(VectorOperators.GT, cap)).intoArray(y, yi);
        }
    }

    /**
     * One output column of {@link #row} at the left or right edge, where some taps fall outside the input. Written
     * without branches or a loop around the vectors: with them, JDK 17's compiler kept the accumulator on the heap
     * (an allocation per tap). A column outside the
     * input is read at column 0 and left out by a masked addition.
     */
    private static void edge(float[] x0, int o0, float[] x1, int o1, float[] x2, int o2, float[] w, int c, int cb,
                             float[] y, int yRow, int ow, int s, int pl, int wd,
                             float[] scale, float[] shift, float lo, float hi) {
        int iw = ow * s - pl;
        boolean in0 = iw >= 0 && iw < wd, in1 = iw + 1 >= 0 && iw + 1 < wd, in2 = iw + 2 >= 0 && iw + 2 < wd;
        int yi = yRow + ow * c + cb;
        // the usual edges, one column of taps outside on the left or the right: two columns, no masks
        if (!in0 && in1 && in2) {
            edgeTwo(x0, o0, x1, o1, x2, o2, w, c, cb, (iw + 1) * c + cb, 1, y, yi, scale, shift, lo, hi);
            return;
        }
        if (in0 && in1 && !in2) {
            edgeTwo(x0, o0, x1, o1, x2, o2, w, c, cb, iw * c + cb, 0, y, yi, scale, shift, lo, hi);
            return;
        }
        int xa = (in0 ? iw : 0) * c + cb, xb = (in1 ? iw + 1 : 0) * c + cb, xc = (in2 ? iw + 2 : 0) * c + cb;
        FloatVector a = FloatVector.fromArray(S, x0, o0 + xa).mul(FloatVector.fromArray(S, w, cb));
        a = FloatVector.fromArray(S, x1, o1 + xa).fma(FloatVector.fromArray(S, w, 3 * c + cb), a);
        a = FloatVector.fromArray(S, x2, o2 + xa).fma(FloatVector.fromArray(S, w, 6 * c + cb), a);
        FloatVector b = FloatVector.fromArray(S, x0, o0 + xb).mul(FloatVector.fromArray(S, w, c + cb));
        b = FloatVector.fromArray(S, x1, o1 + xb).fma(FloatVector.fromArray(S, w, 4 * c + cb), b);
        b = FloatVector.fromArray(S, x2, o2 + xb).fma(FloatVector.fromArray(S, w, 7 * c + cb), b);
        FloatVector d = FloatVector.fromArray(S, x0, o0 + xc).mul(FloatVector.fromArray(S, w, 2 * c + cb));
        d = FloatVector.fromArray(S, x1, o1 + xc).fma(FloatVector.fromArray(S, w, 5 * c + cb), d);
        d = FloatVector.fromArray(S, x2, o2 + xc).fma(FloatVector.fromArray(S, w, 8 * c + cb), d);
        FloatVector acc = FloatVector.zero(S).add(a, S.maskAll(in0)).add(b, S.maskAll(in1)).add(d, S.maskAll(in2));
        FloatVector v = acc.fma(FloatVector.fromArray(S, scale, cb), FloatVector.fromArray(S, shift, cb));
        FloatVector floor = FloatVector.broadcast(S, lo), cap = FloatVector.broadcast(S, hi);
        v = v.blend(floor, v.lt(floor));
        v.blend(cap, v.compare(VectorOperators.GT, cap)).intoArray(y, yi);
    }

    /** An edge pixel whose taps in columns j0 and j0 + 1 (at x offset xi and xi + c) are the ones inside. */
    private static void edgeTwo(float[] x0, int o0, float[] x1, int o1, float[] x2, int o2, float[] w, int c, int cb,
                                int xi, int j0, float[] y, int yi, float[] scale, float[] shift, float lo, float hi) {
        FloatVector a = FloatVector.fromArray(S, x0, o0 + xi).mul(FloatVector.fromArray(S, w, j0 * c + cb));
        FloatVector b = FloatVector.fromArray(S, x1, o1 + xi).mul(FloatVector.fromArray(S, w, (3 + j0) * c + cb));
        a = FloatVector.fromArray(S, x2, o2 + xi).fma(FloatVector.fromArray(S, w, (6 + j0) * c + cb), a);
        b = FloatVector.fromArray(S, x0, o0 + xi + c).fma(FloatVector.fromArray(S, w, (1 + j0) * c + cb), b);
        a = FloatVector.fromArray(S, x1, o1 + xi + c).fma(FloatVector.fromArray(S, w, (4 + j0) * c + cb), a);
        b = FloatVector.fromArray(S, x2, o2 + xi + c).fma(FloatVector.fromArray(S, w, (7 + j0) * c + cb), b);
        FloatVector v = a.add(b).fma(FloatVector.fromArray(S, scale, cb), FloatVector.fromArray(S, shift, cb));
        FloatVector floor = FloatVector.broadcast(S, lo), cap = FloatVector.broadcast(S, hi);
        v = v.blend(floor, v.lt(floor));
        v.blend(cap, v.compare(VectorOperators.GT, cap)).intoArray(y, yi);
    }

    /** Channels [cb, c), fewer than a vector, one at a time. */
    private static void rowTail(float[][] rows, int[] offs, float[] w, int c, int cb, float[] y, int yRow, int ow_,
                                int s, int pl, int wd, OutputStage st) {
        for (int ow = 0; ow < ow_; ow++) {
            for (int ch = cb; ch < c; ch++) {
                float acc = 0f;
                for (int i = 0; i < 3; i++) {
                    for (int j = 0; j < 3; j++) {
                        int iw = ow * s - pl + j;
                        if (iw >= 0 && iw < wd) acc += rows[i][offs[i] + iw * c + ch] * w[(i * 3 + j) * c + ch];
                    }
                }
                y[yRow + ow * c + ch] = Math.min(Math.max(acc * st.scale()[ch] + st.shift()[ch], st.lo()), st.hi());
            }
        }
    }
}
