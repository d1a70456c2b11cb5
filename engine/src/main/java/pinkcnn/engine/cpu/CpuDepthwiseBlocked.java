package pinkcnn.engine.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import pinkcnn.engine.backend.ConvGeometry;

/**
 * Version 3 of the depthwise 3×3 forward pass, inside a fused block only ({@link CpuInvertedResidual}): the same row
 * sweep as version 2 ({@link CpuDepthwise3x3}), on input rows laid out by channel vectors. A fused block writes its
 * expanded rows itself, so it can choose their layout: vector v of input row i's pixel iw is at
 * {@code offs[i] + v·planes[i] + iw·L}, one vector's pixels next to each other, as in oneDNN's nChw16c and ONNX
 * Runtime's NCHWc. The output row stays channels-last for the projection.
 *
 * <p>What that changes: in version 2 neighbouring pixels are a whole pixel of channels apart (576 floats in block
 * 11), a distance known only at run time, so every tap's address is computed, its bounds checked, and the index
 * arithmetic spills out of the registers; and one row's taps for one vector are 42 cache lines 2 KB apart. Here a
 * pixel is one vector further, a constant: the taps are a base plus constants, and a vector's three rows are three
 * contiguous runs. Channel counts must be whole vectors (all of MobileNetV2's expanded ones are).
 */
final class CpuDepthwiseBlocked {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();

    private CpuDepthwiseBlocked() {}

    /** Whether a block's expanded channels can be laid out by vectors. */
    static boolean fits(int channels) {
        return channels % L == 0;
    }

    /**
     * One output row, all channels, at {@code y[yRow…]} (channels-last): {@code rows[i]} holds input row i of the
     * window, vector v of its pixel iw at {@code offs[i] + v·planes[i] + iw·L} (a row of zeros above or below the
     * image: plane 0). {@code interior} is {@link CpuDepthwise3x3#interior}.
     */
    static void outputRow(ConvGeometry g, int[] interior, float[][] rows, int[] offs, int[] planes, float[] w,
                          OutputStage st, float[] y, int yRow) {
        int c = g.cin(), s = g.stride(), pl = g.padLeft(), wd = g.w(), ow_ = g.outW();
        int inLo = interior[0], inHi = interior[1];
        // the usual edges, the first column's left taps and the last column's right taps outside the input, are
        // computed by interiorStride1 with the weights it holds in registers; any other edge column by edge()
        boolean left = s == 1 && pl == 1 && inLo == 1 && wd >= 2, right = s == 1 && inHi == ow_ - 1 && inHi - pl + 2 == wd && wd >= 2;
        float[] x0 = rows[0], x1 = rows[1], x2 = rows[2], scale = st.scale(), shift = st.shift();
        float lo = st.lo(), hi = st.hi();
        for (int v = 0, cb = 0; cb < c; v++, cb += L) {
            int o0 = offs[0] + v * planes[0], o1 = offs[1] + v * planes[1], o2 = offs[2] + v * planes[2];
            for (int ow = left ? 1 : 0; ow < inLo; ow++) edge(x0, o0, x1, o1, x2, o2, w, c, cb, y, yRow, ow, s, pl, wd, scale, shift, lo, hi);
            int done = s == 1 ? interiorStride1(x0, o0, x1, o1, x2, o2, w, c, cb, y, yRow, inLo, inHi, pl, left, right,
                    scale, shift, lo, hi)
                    : s == 2 ? interiorStride2(x0, o0, x1, o1, x2, o2, w, c, cb, y, yRow, inLo, inHi, pl, scale, shift, lo, hi)
                    : inLo;
            interior(x0, o0, x1, o1, x2, o2, w, c, cb, y, yRow, done, inHi, s, pl, scale, shift, lo, hi);
            for (int ow = right ? inHi + 1 : inHi; ow < ow_; ow++) edge(x0, o0, x1, o1, x2, o2, w, c, cb, y, yRow, ow, s, pl, wd, scale, shift, lo, hi);
        }
    }

    /**
     * {@link CpuDepthwise3x3}'s stride-1 kernel on blocked rows: columns [from, to) four at a time, sharing the
     * input columns their windows overlap on, and with {@code left} and {@code right} the usual edge columns from − 1
     * and to. Returns the first column it left to {@link #interior} (at most three).
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
            FloatVector a = FloatVector.fromArray(S, x0, o0).mul(w01), b = FloatVector.fromArray(S, x1, o1).mul(w11);
            a = FloatVector.fromArray(S, x2, o2).fma(w21, a);
            b = FloatVector.fromArray(S, x0, o0 + L).fma(w02, b);
            a = FloatVector.fromArray(S, x1, o1 + L).fma(w12, a);
            b = FloatVector.fromArray(S, x2, o2 + L).fma(w22, b);
            FloatVector v = a.add(b).fma(sc, sh);
            v = v.blend(floor, v.lt(floor));
            v.blend(cap, v.compare(VectorOperators.GT, cap)).intoArray(y, yRow + (from - 1) * c + cb);
        }
        if (right) {
            // output column to: its window's last column is past the input, its first two are the input's last two
            int xr = (to - pl) * L;
            FloatVector a = FloatVector.fromArray(S, x0, o0 + xr).mul(w00), b = FloatVector.fromArray(S, x1, o1 + xr).mul(w10);
            a = FloatVector.fromArray(S, x2, o2 + xr).fma(w20, a);
            b = FloatVector.fromArray(S, x0, o0 + xr + L).fma(w01, b);
            a = FloatVector.fromArray(S, x1, o1 + xr + L).fma(w11, a);
            b = FloatVector.fromArray(S, x2, o2 + xr + L).fma(w21, b);
            FloatVector v = a.add(b).fma(sc, sh);
            v = v.blend(floor, v.lt(floor));
            v.blend(cap, v.compare(VectorOperators.GT, cap)).intoArray(y, yRow + to * c + cb);
        }
        int ow = from;
        for (; ow + 4 <= to; ow += 4) {
            // the four windows read input columns ow − pl + {0 … 5}: one load each, into every sum that covers it
            int xi = (ow - pl) * L, yi = yRow + ow * c + cb;
            FloatVector a0, a1, a2, a3, v;
            v = FloatVector.fromArray(S, x0, o0 + xi); a0 = v.mul(w00);
            v = FloatVector.fromArray(S, x0, o0 + xi + L); a0 = v.fma(w01, a0); a1 = v.mul(w00);
            v = FloatVector.fromArray(S, x0, o0 + xi + 2 * L); a0 = v.fma(w02, a0); a1 = v.fma(w01, a1); a2 = v.mul(w00);
            v = FloatVector.fromArray(S, x0, o0 + xi + 3 * L); a1 = v.fma(w02, a1); a2 = v.fma(w01, a2); a3 = v.mul(w00);
            v = FloatVector.fromArray(S, x0, o0 + xi + 4 * L); a2 = v.fma(w02, a2); a3 = v.fma(w01, a3);
            v = FloatVector.fromArray(S, x0, o0 + xi + 5 * L); a3 = v.fma(w02, a3);
            v = FloatVector.fromArray(S, x1, o1 + xi); a0 = v.fma(w10, a0);
            v = FloatVector.fromArray(S, x1, o1 + xi + L); a0 = v.fma(w11, a0); a1 = v.fma(w10, a1);
            v = FloatVector.fromArray(S, x1, o1 + xi + 2 * L); a0 = v.fma(w12, a0); a1 = v.fma(w11, a1); a2 = v.fma(w10, a2);
            v = FloatVector.fromArray(S, x1, o1 + xi + 3 * L); a1 = v.fma(w12, a1); a2 = v.fma(w11, a2); a3 = v.fma(w10, a3);
            v = FloatVector.fromArray(S, x1, o1 + xi + 4 * L); a2 = v.fma(w12, a2); a3 = v.fma(w11, a3);
            v = FloatVector.fromArray(S, x1, o1 + xi + 5 * L); a3 = v.fma(w12, a3);
            v = FloatVector.fromArray(S, x2, o2 + xi); a0 = v.fma(w20, a0);
            v = FloatVector.fromArray(S, x2, o2 + xi + L); a0 = v.fma(w21, a0); a1 = v.fma(w20, a1);
            v = FloatVector.fromArray(S, x2, o2 + xi + 2 * L); a0 = v.fma(w22, a0); a1 = v.fma(w21, a1); a2 = v.fma(w20, a2);
            v = FloatVector.fromArray(S, x2, o2 + xi + 3 * L); a1 = v.fma(w22, a1); a2 = v.fma(w21, a2); a3 = v.fma(w20, a3);
            v = FloatVector.fromArray(S, x2, o2 + xi + 4 * L); a2 = v.fma(w22, a2); a3 = v.fma(w21, a3);
            v = FloatVector.fromArray(S, x2, o2 + xi + 5 * L); a3 = v.fma(w22, a3);
            v = a0.fma(sc, sh); v = v.blend(floor, v.lt(floor)); v.blend(cap, v.compare(VectorOperators.GT, cap)).intoArray(y, yi);
            v = a1.fma(sc, sh); v = v.blend(floor, v.lt(floor)); v.blend(cap, v.compare(VectorOperators.GT, cap)).intoArray(y, yi + c);
            v = a2.fma(sc, sh); v = v.blend(floor, v.lt(floor)); v.blend(cap, v.compare(VectorOperators.GT, cap)).intoArray(y, yi + 2 * c);
            v = a3.fma(sc, sh); v = v.blend(floor, v.lt(floor)); v.blend(cap, v.compare(VectorOperators.GT, cap)).intoArray(y, yi + 3 * c);
        }
        return ow;
    }

    /**
     * Output columns [from, to) at stride 2, two at a time: their windows share the input column between them (15
     * loads for two pixels instead of 18). Returns the first column it left to {@link #interior} (at most one).
     */
    private static int interiorStride2(float[] x0, int o0, float[] x1, int o1, float[] x2, int o2, float[] w, int c, int cb,
                                       float[] y, int yRow, int from, int to, int pl,
                                       float[] scale, float[] shift, float lo, float hi) {
        FloatVector w00 = FloatVector.fromArray(S, w, cb), w01 = FloatVector.fromArray(S, w, c + cb);
        FloatVector w02 = FloatVector.fromArray(S, w, 2 * c + cb), w10 = FloatVector.fromArray(S, w, 3 * c + cb);
        FloatVector w11 = FloatVector.fromArray(S, w, 4 * c + cb), w12 = FloatVector.fromArray(S, w, 5 * c + cb);
        FloatVector w20 = FloatVector.fromArray(S, w, 6 * c + cb), w21 = FloatVector.fromArray(S, w, 7 * c + cb);
        FloatVector w22 = FloatVector.fromArray(S, w, 8 * c + cb);
        FloatVector sc = FloatVector.fromArray(S, scale, cb), sh = FloatVector.fromArray(S, shift, cb);
        FloatVector floor = FloatVector.broadcast(S, lo), cap = FloatVector.broadcast(S, hi);
        int ow = from;
        for (; ow + 2 <= to; ow += 2) {
            int xi = (2 * ow - pl) * L, yi = yRow + ow * c + cb;
            FloatVector a0, a1, v;
            v = FloatVector.fromArray(S, x0, o0 + xi); a0 = v.mul(w00);
            v = FloatVector.fromArray(S, x0, o0 + xi + L); a0 = v.fma(w01, a0);
            v = FloatVector.fromArray(S, x0, o0 + xi + 2 * L); a0 = v.fma(w02, a0); a1 = v.mul(w00);
            v = FloatVector.fromArray(S, x0, o0 + xi + 3 * L); a1 = v.fma(w01, a1);
            v = FloatVector.fromArray(S, x0, o0 + xi + 4 * L); a1 = v.fma(w02, a1);
            v = FloatVector.fromArray(S, x1, o1 + xi); a0 = v.fma(w10, a0);
            v = FloatVector.fromArray(S, x1, o1 + xi + L); a0 = v.fma(w11, a0);
            v = FloatVector.fromArray(S, x1, o1 + xi + 2 * L); a0 = v.fma(w12, a0); a1 = v.fma(w10, a1);
            v = FloatVector.fromArray(S, x1, o1 + xi + 3 * L); a1 = v.fma(w11, a1);
            v = FloatVector.fromArray(S, x1, o1 + xi + 4 * L); a1 = v.fma(w12, a1);
            v = FloatVector.fromArray(S, x2, o2 + xi); a0 = v.fma(w20, a0);
            v = FloatVector.fromArray(S, x2, o2 + xi + L); a0 = v.fma(w21, a0);
            v = FloatVector.fromArray(S, x2, o2 + xi + 2 * L); a0 = v.fma(w22, a0); a1 = v.fma(w20, a1);
            v = FloatVector.fromArray(S, x2, o2 + xi + 3 * L); a1 = v.fma(w21, a1);
            v = FloatVector.fromArray(S, x2, o2 + xi + 4 * L); a1 = v.fma(w22, a1);
            v = a0.fma(sc, sh); v = v.blend(floor, v.lt(floor)); v.blend(cap, v.compare(VectorOperators.GT, cap)).intoArray(y, yi);
            v = a1.fma(sc, sh); v = v.blend(floor, v.lt(floor)); v.blend(cap, v.compare(VectorOperators.GT, cap)).intoArray(y, yi + c);
        }
        return ow;
    }

    /** Output columns [from, to) at any stride, one at a time, all nine taps inside the input. */
    private static void interior(float[] x0, int o0, float[] x1, int o1, float[] x2, int o2, float[] w, int c, int cb,
                                 float[] y, int yRow, int from, int to, int s, int pl,
                                 float[] scale, float[] shift, float lo, float hi) {
        if (from >= to) return;
        FloatVector w00 = FloatVector.fromArray(S, w, cb), w01 = FloatVector.fromArray(S, w, c + cb);
        FloatVector w02 = FloatVector.fromArray(S, w, 2 * c + cb), w10 = FloatVector.fromArray(S, w, 3 * c + cb);
        FloatVector w11 = FloatVector.fromArray(S, w, 4 * c + cb), w12 = FloatVector.fromArray(S, w, 5 * c + cb);
        FloatVector w20 = FloatVector.fromArray(S, w, 6 * c + cb), w21 = FloatVector.fromArray(S, w, 7 * c + cb);
        FloatVector w22 = FloatVector.fromArray(S, w, 8 * c + cb);
        FloatVector sc = FloatVector.fromArray(S, scale, cb), sh = FloatVector.fromArray(S, shift, cb);
        FloatVector floor = FloatVector.broadcast(S, lo), cap = FloatVector.broadcast(S, hi);
        for (int ow = from; ow < to; ow++) {
            int xi = (ow * s - pl) * L;
            FloatVector a0 = FloatVector.fromArray(S, x0, o0 + xi).mul(w00);
            FloatVector a1 = FloatVector.fromArray(S, x1, o1 + xi).mul(w10);
            a0 = FloatVector.fromArray(S, x0, o0 + xi + L).fma(w01, a0);
            a1 = FloatVector.fromArray(S, x1, o1 + xi + L).fma(w11, a1);
            a0 = FloatVector.fromArray(S, x0, o0 + xi + 2 * L).fma(w02, a0);
            a1 = FloatVector.fromArray(S, x1, o1 + xi + 2 * L).fma(w12, a1);
            a0 = FloatVector.fromArray(S, x2, o2 + xi).fma(w20, a0);
            a0 = FloatVector.fromArray(S, x2, o2 + xi + L).fma(w21, a0);
            a0 = FloatVector.fromArray(S, x2, o2 + xi + 2 * L).fma(w22, a0);
            FloatVector v = a0.add(a1).fma(sc, sh);
            v = v.blend(floor, v.lt(floor));
            v.blend(cap, v.compare(VectorOperators.GT, cap)).intoArray(y, yRow + ow * c + cb);
        }
    }

    /**
     * One output column with some taps outside the input, as {@link CpuDepthwise3x3}'s edge: a column outside is read
     * at column 0 and left out by a masked addition (no branches around the vectors, which C2 would box).
     */
    private static void edge(float[] x0, int o0, float[] x1, int o1, float[] x2, int o2, float[] w, int c, int cb,
                             float[] y, int yRow, int ow, int s, int pl, int wd,
                             float[] scale, float[] shift, float lo, float hi) {
        int iw = ow * s - pl;
        boolean in0 = iw >= 0 && iw < wd, in1 = iw + 1 >= 0 && iw + 1 < wd, in2 = iw + 2 >= 0 && iw + 2 < wd;
        int xa = (in0 ? iw : 0) * L, xb = (in1 ? iw + 1 : 0) * L, xc = (in2 ? iw + 2 : 0) * L;
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
        v.blend(cap, v.compare(VectorOperators.GT, cap)).intoArray(y, yRow + ow * c + cb);
    }
}
