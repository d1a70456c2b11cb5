package pinkcnn.engine.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Version 2 of the matrix product under the CPU backend's forward convolutions (version 1 is {@link CpuGemm}):
 * Y = stage(A·B), A rows×k (pixels × input channels, or im2col rows), B the HWIO kernel read as a k×n row-major
 * matrix, the stage a frozen batch norm and ReLU ({@link OutputStage}) or nothing.
 *
 * <p>MobileNetV2's convolutions have a short K (16 to 960 input channels) and large outputs (112²×96 floats is 4.8 MB
 * at batch 1). What changes, and why that is faster there:
 * <ul>
 *   <li>A tile of Y (8 rows × 3 vectors; 6 × 2 or 12 × 1 for the last columns) sums the whole of K in registers,
 *       goes through the output stage in registers and is stored once. Version 1 zero-fills Y, adds each K-panel's tile into Y through a buffer, and
 *       then reads Y once more for the stage: three passes over an output larger than the L2 cache, which for
 *       K = 16 cost more than the multiply-adds.</li>
 *   <li>B is read in place: each of its k rows holds the n output channels contiguously, which is the panel a tile
 *       needs, so nothing is packed per call (version 1 packs B on every call). Only the last columns, when they are
 *       not a whole vector, are copied, zero-padded, so that their loads stay inside the array.</li>
 * </ul>
 * K is not blocked: the part of B a tile sweeps (k × 3 vectors, 184 KB at k = 960) stays in the L2 cache.
 *
 * <p>Version 3 ({@link Operand#packed}) runs the same tiles on a 1×1 kernel packed once, panel after panel, and kept
 * with its storage ({@link CpuStorage#packed}): at batch 1 every weight is read once per pass, mostly from L3, and a
 * panel in place is k runs of 48 floats a row apart, which the prefetcher follows poorly. Leftover rows after the
 * last whole tile run in one-row kernels ({@link #row1x3}). Version 4 packs the last 64 output channels of 64, 160,
 * … as one four-vector panel for {@link #tile6x4}, where version 3 ends on a one-vector panel.
 */
final class CpuConvTiles {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final int NR = 2 * L;
    private static final int MR = 6;
    private static final int MR_NARROW = 12;
    /** Rows of the 8×3 kernel. */
    private static final int MR3 = 8;
    /**
     * At most this many rows per task. A task's rows of A stay in cache across its panels while each panel of B
     * streams past them once per task, so a product is cut into as few row blocks as this allows, of equal size (49
     * rows as 48 + 1 would stream B twice).
     */
    private static final int MC_MAX = 96;
    /**
     * Leftover rows after the last whole tile, up to these counts, run one by one in a row kernel with two sums per
     * output vector (even and odd k, so that each waits on its own multiply-add only every other step): about 2 cycles
     * per k for a row, against 12 for a whole 8×3 tile and 6 for a 6×2 or 12×1 tile computed on padded rows.
     */
    private static final int SINGLE_ROWS = 3, SINGLE_ROWS_NARROW = 2;

    private final Parallel parallel;

    CpuConvTiles(Parallel parallel) {
        this.parallel = parallel;
    }

    /**
     * B (k × n, row-major) ready for products, cut into panels of columns: as many of three vectors as fit (the 8×3
     * kernel), then at most one of two vectors (6×2), then either exactly one vector, read in place by the 12×1
     * kernel, or the remaining columns copied, zero-padded, into a two-vector panel of their own ({@code tail},
     * k × NR), computed by the 6×2 kernel into a tile and copied out row by row (24 output channels cost as much as
     * 32; a kernel on half-width vectors for the last 8 was slower). With {@code packed} the panels are contiguous
     * in {@code b}, one after another, the tail among them ({@link #packed}), and {@code wide4} (version 4) puts one
     * four-vector panel after the three-vector ones; the panel* methods say where each is.
     */
    record Operand(float[] b, int k, int n, int wide3, int wide4, int wide2, boolean single, float[] tail, boolean packed) {
        static Operand of(float[] b, int k, int n) {
            return of(b, k, n, null);
        }

        /** {@link #of(float[], int, int)} with the tail copied into {@code room} when it is large enough. */
        static Operand of(float[] b, int k, int n, float[] room) {
            int wide3 = n / (3 * L), rest = n - wide3 * 3 * L;
            int wide2 = rest >= NR ? 1 : 0;
            rest -= wide2 * NR;
            boolean single = rest == L;
            if (rest == 0 || single) return new Operand(b, k, n, wide3, 0, wide2, single, null, false);
            float[] tail = room != null && room.length >= k * NR ? room : new float[k * NR];
            for (int p = 0; p < k; p++) {
                System.arraycopy(b, p * n + n - rest, tail, p * NR, rest);
                java.util.Arrays.fill(tail, p * NR + rest, p * NR + NR, 0f);
            }
            return new Operand(b, k, n, wide3, 0, wide2, false, tail, false);
        }

        /**
         * B copied panel after panel, each panel's k rows contiguous (the last, when not a whole vector, zero-padded
         * to two): a panel is then one sequential stream, which the hardware prefetches, where B in place is k
         * short runs a row of B apart. With {@code wide} (version 4) the last 64 columns of an n that is 16 more
         * than a multiple of 48 (64, 160) are one four-vector panel for {@link #tile6x4} instead of a three-vector
         * panel and a one-vector panel, whose 12×1 tile does one broadcast per multiply-add.
         */
        static Operand packed(float[] b, int k, int n, boolean wide) {
            Operand in = of(b, k, n);
            if (wide && in.single && in.wide3 >= 1) in = new Operand(b, k, n, in.wide3 - 1, 1, in.wide2, false, null, false);
            int narrow = in.single ? L : in.tail != null ? NR : 0;
            float[] p = new float[k * (in.wide3 * 3 * L + in.wide4 * 4 * L + in.wide2 * NR + narrow)];
            int at = 0;
            for (int q = 0; q < in.panels(); q++) {
                int j0 = in.panelStart(q), width = in.panelWidth(q), real = Math.min(width, n - j0);
                for (int r = 0; r < k; r++, at += width) System.arraycopy(b, r * n + j0, p, at, real);
            }
            return new Operand(p, k, n, in.wide3, in.wide4, in.wide2, in.single, in.tail != null ? p : null, true);
        }

        int panels() {
            return wide3 + wide4 + wide2 + (single || tail != null ? 1 : 0);
        }

        /** The first column after the three- and two-vector panels. */
        int narrowStart() {
            return wide3 * 3 * L + wide4 * 4 * L + wide2 * NR;
        }

        /** Panel q's first column of Y. */
        int panelStart(int q) {
            if (q < wide3) return q * 3 * L;
            if (q < wide3 + wide4) return wide3 * 3 * L;
            return wide3 * 3 * L + wide4 * 4 * L + (q - wide3 - wide4) * NR;
        }

        /** Panel q's width in B: three, two or one vector(s); the padded tail is two. */
        int panelWidth(int q) {
            if (q < wide3) return 3 * L;
            if (q < wide3 + wide4) return 4 * L;
            return q == wide3 + wide4 && wide2 == 1 ? NR : single ? L : NR;
        }

        /** Where panel q starts in {@link #panelArray}. */
        int panelOffset(int q) {
            if (packed) return k * panelStart(q);
            return q < panels() - 1 || single || tail == null ? panelStart(q) : 0;
        }

        /** The array holding panel q. */
        float[] panelArray(int q) {
            return !packed && tail != null && q == panels() - 1 ? tail : b;
        }

        /** The distance between panel q's rows. */
        int panelStride(int q) {
            return packed ? panelWidth(q) : tail != null && q == panels() - 1 ? NR : n;
        }
    }

    /**
     * y[yOff + r·n + j] = stage(Σ_p a[aOff + r·k + p]·b[p·n + j]) for r < rows, j < n ({@code stage} null: none),
     * spread over the threads.
     */
    void multiply(int rows, Operand op, float[] a, int aOff, float[] y, int yOff, OutputStage stage) {
        int k = op.k(), n = op.n();
        OutputStage st = stage != null ? stage : OutputStage.identity(n);
        int mc = rowBlock(rows), tasks = (rows + mc - 1) / mc * op.panels();
        int grain = 2.0 * rows * n * k < CpuGemm.PARALLEL_FLOPS ? Integer.MAX_VALUE : 1;
        parallel.forRange(tasks, grain, (from, to) -> run(from, to, rows, mc, op, a, aOff, y, yOff, n, L, st));
    }

    /** Rows per task: {@code rows} in the fewest blocks of at most {@link #MC_MAX}, rounded up to whole tiles. */
    private static int rowBlock(int rows) {
        if (rows <= 0) return MR_NARROW;
        int blocks = (rows + MC_MAX - 1) / MC_MAX;
        int mc = (rows + blocks - 1) / blocks;
        return (mc + 23) / 24 * 24; // whole tiles of 6, 8 and 12 rows
    }

    /** {@link #multiply} on the calling thread, with B prepared once for many calls (a fused block's rows). */
    static void multiplyHere(int rows, Operand op, float[] a, int aOff, float[] y, int yOff, OutputStage stage) {
        multiplyHere(rows, op, a, aOff, y, yOff, op.n(), L, stage);
    }

    /**
     * {@link #multiplyHere} into Y laid out with row r's vector v of output channels at {@code yOff + r·ldy + v·ldv}:
     * row-major with ldy = n and ldv = L, or blocked by channel vectors (all rows of a vector of channels together,
     * ldy = L) for {@link CpuDepthwiseBlocked}. Blocked needs n to be whole vectors.
     */
    static void multiplyHere(int rows, Operand op, float[] a, int aOff, float[] y, int yOff, int ldy, int ldv,
                             OutputStage stage) {
        if (ldv != L && op.n() % L != 0)
            throw new IllegalArgumentException("a channel-blocked product needs whole vectors of outputs, not " + op.n());
        int mc = rowBlock(rows);
        run(0, (rows + mc - 1) / mc * op.panels(), rows, mc, op, a, aOff, y, yOff, ldy, ldv, stage);
    }

    /** One row of a tile (a padded leftover row) into Y: {@code vectors} vectors, {@code ldv} apart in Y. */
    private static void copyRow(float[] tile, int from, float[] y, int yi, int vectors, int ldv) {
        if (ldv == L) {
            System.arraycopy(tile, from, y, yi, vectors * L);
        } else {
            for (int v = 0; v < vectors; v++) System.arraycopy(tile, from + v * L, y, yi + v * ldv, L);
        }
    }

    /**
     * Whether {@link #windows} can multiply with this B, for output pixels {@code pixelStep} floats apart in the image:
     * one two-vector panel (32 output channels with AVX-512) and the stem's step ({@link #STEM_STEP}).
     */
    static boolean windowsFit(Operand op, int pixelStep) {
        return op.n() == NR && op.wide3() == 0 && op.wide2() == 1 && pixelStep == STEM_STEP;
    }

    /**
     * A convolution's output pixels read straight from the image instead of from im2col's copy, for a multiple of 6
     * pixels of one output row whose windows are all inside the image: pixel p's window row i is the {@code run}
     * (kw·cin) contiguous floats of x at {@code xi + p·STEM_STEP + i·rowStep}, which is row i·run + q of B. Only for
     * a B and step that {@link #windowsFit}.
     */
    static void windows(int pixels, float[] x, int xi, int rowStep, int kh, int run, Operand op, float[] y, int yOff,
                        OutputStage st) {
        // a pixel's k-th input is at this offset from its window's start: one loop over k, as in tile6x2 (with a loop
        // over the window's rows around it, JDK 17's C2 kept the accumulators on the heap)
        int[] offsets = new int[kh * run];
        for (int i = 0; i < kh; i++) for (int q = 0; q < run; q++) offsets[i * run + q] = i * rowStep + q;
        for (int p = 0; p < pixels; p += MR) {
            windowStem(x, xi + p * STEM_STEP, offsets, op.b(), y, yOff + p * NR, st.scale(), st.shift(), st.lo(), st.hi());
        }
    }

    /**
     * Per thread: rows of A padded to a whole tile, the tile they give, and a tail panel's scale and shift. Reused
     * from call to call: a fused block makes hundreds of products per pass, and fresh buffers for each cost page
     * faults.
     */
    private static final ThreadLocal<float[][]> SCRATCH =
            ThreadLocal.withInitial(() -> new float[][] {new float[0], new float[0], new float[NR], new float[NR]});

    /** Room for the largest {@link Operand} tail of a k × n product, to pass to {@link Operand#of}. */
    static int tailFloats(int k) {
        return k * NR;
    }

    /**
     * Tasks [from, to) of a product: task t is row block t / panels × panel t % panels (A's block stays in cache).
     * Rows left over after the last whole tile are copied into a tile's worth of rows and computed as a whole tile,
     * of which only they are stored: a kernel for a single row has one or two accumulators, so its multiply-adds wait
     * on each other, and leftover rows took longer than the whole tiles before them (56 pixel rows are 9 tiles of 6
     * and 2 rows). Row r's vector v of output channels goes to {@code yOff + r·ldy + v·ldv} ({@link #multiplyHere}).
     */
    private static void run(int from, int to, int rows, int mc, Operand op, float[] a, int aOff, float[] y, int yOff,
                            int ldy, int ldv, OutputStage st) {
        int k = op.k(), panels = op.panels(), wide3 = op.wide3();
        float[] scale = st.scale(), shift = st.shift();
        float lo = st.lo(), hi = st.hi();
        float[][] scratch = SCRATCH.get();
        if (scratch[0].length < MR_NARROW * k) scratch[0] = new float[MR_NARROW * k];
        if (scratch[1].length < MR_NARROW * NR) scratch[1] = new float[MR_NARROW * NR];
        float[] aPad = scratch[0], tile = scratch[1];
        for (int t = from; t < to; t++) {
            int q = t % panels, r0 = t / panels * mc, r1 = Math.min(rows, r0 + mc);
            float[] b = op.panelArray(q);
            int bi = op.panelOffset(q), ldb = op.panelStride(q), j = op.panelStart(q), yj = yOff + j / L * ldv;
            if (q < wide3) {
                int r = r0;
                for (; r + MR3 <= r1; r += MR3)
                    tile8x3(a, aOff + r * k, k, b, bi, ldb, y, yj + r * ldy, ldy, ldv, scale, shift, j, lo, hi);
                if (r1 - r <= SINGLE_ROWS) {
                    for (; r < r1; r++) row1x3(a, aOff + r * k, k, b, bi, ldb, y, yj + r * ldy, ldv, scale, shift, j, lo, hi);
                } else {
                    System.arraycopy(a, aOff + r * k, aPad, 0, (r1 - r) * k);
                    tile8x3(aPad, 0, k, b, bi, ldb, tile, 0, 3 * L, L, scale, shift, j, lo, hi);
                    for (int i = 0; i < r1 - r; i++) copyRow(tile, i * 3 * L, y, yj + (r + i) * ldy, 3, ldv);
                }
            } else if (q < wide3 + op.wide4()) {
                int r = r0;
                for (; r + MR <= r1; r += MR)
                    tile6x4(a, aOff + r * k, k, b, bi, ldb, y, yj + r * ldy, ldy, ldv, scale, shift, j, lo, hi);
                if (r1 - r <= SINGLE_ROWS) {
                    // a leftover row as the three-vector and the one-vector row kernels, over the four-vector panel
                    for (; r < r1; r++) {
                        row1x3(a, aOff + r * k, k, b, bi, ldb, y, yj + r * ldy, ldv, scale, shift, j, lo, hi);
                        row1x1(a, aOff + r * k, k, b, bi + 3 * L, ldb, y, yj + r * ldy + 3 * ldv, scale, shift, j + 3 * L,
                                lo, hi);
                    }
                } else {
                    System.arraycopy(a, aOff + r * k, aPad, 0, (r1 - r) * k);
                    tile6x4(aPad, 0, k, b, bi, ldb, tile, 0, 4 * L, L, scale, shift, j, lo, hi);
                    for (int i = 0; i < r1 - r; i++) copyRow(tile, i * 4 * L, y, yj + (r + i) * ldy, 4, ldv);
                }
            } else if (q == wide3 + op.wide4() && op.wide2() == 1) {
                int r = r0;
                for (; r + MR <= r1; r += MR)
                    tile6x2(a, aOff + r * k, k, b, bi, ldb, y, yj + r * ldy, ldy, ldv, scale, shift, j, lo, hi);
                if (r1 - r <= SINGLE_ROWS_NARROW) {
                    for (; r < r1; r++) row1x2(a, aOff + r * k, k, b, bi, ldb, y, yj + r * ldy, ldv, scale, shift, j, lo, hi);
                } else {
                    System.arraycopy(a, aOff + r * k, aPad, 0, (r1 - r) * k);
                    tile6x2(aPad, 0, k, b, bi, ldb, tile, 0, NR, L, scale, shift, j, lo, hi);
                    for (int i = 0; i < r1 - r; i++) copyRow(tile, i * NR, y, yj + (r + i) * ldy, 2, ldv);
                }
            } else if (op.single()) {
                int r = r0;
                for (; r + MR_NARROW <= r1; r += MR_NARROW)
                    tile12x1(a, aOff + r * k, k, b, bi, ldb, y, yj + r * ldy, ldy, scale, shift, j, lo, hi);
                if (r1 - r <= SINGLE_ROWS_NARROW) {
                    for (; r < r1; r++) row1x1(a, aOff + r * k, k, b, bi, ldb, y, yj + r * ldy, scale, shift, j, lo, hi);
                } else {
                    System.arraycopy(a, aOff + r * k, aPad, 0, (r1 - r) * k);
                    tile12x1(aPad, 0, k, b, bi, ldb, tile, 0, L, scale, shift, j, lo, hi);
                    for (int i = 0; i < r1 - r; i++) System.arraycopy(tile, i * L, y, yj + (r + i) * ldy, L);
                }
            } else {
                tailPanel(a, aOff, op, b, bi, r0, r1, aPad, tile, scratch[2], scratch[3], y, yOff, st);
            }
        }
    }

    /** The columns after {@link Operand#narrowStart}: the 6×2 kernel on the padded tail of B, copied out by rows. */
    private static void tailPanel(float[] a, int aOff, Operand op, float[] b, int bi, int r0, int r1, float[] aPad, float[] tile,
                                  float[] scale, float[] shift, float[] y, int yOff, OutputStage st) {
        int k = op.k(), n = op.n(), j0 = op.narrowStart(), rest = n - j0;
        System.arraycopy(st.scale(), j0, scale, 0, rest);
        System.arraycopy(st.shift(), j0, shift, 0, rest);
        for (int r = r0; r < r1; r += MR) {
            int count = Math.min(MR, r1 - r);
            float[] rowsOfA = a;
            int at = aOff + r * k;
            if (count < MR) {
                System.arraycopy(a, at, aPad, 0, count * k);
                rowsOfA = aPad;
                at = 0;
            }
            tile6x2(rowsOfA, at, k, b, bi, NR, tile, 0, NR, L, scale, shift, 0, st.lo(), st.hi());
            for (int i = 0; i < count; i++) System.arraycopy(tile, i * NR, y, yOff + (r + i) * n + j0, rest);
        }
    }

    /**
     * Y[8 rows, 3 vectors] = stage(A·B): 24 accumulators, 3 loads of B and 8 broadcasts of A for 24 multiply-adds
     * (12 for 8 with the 6×2 tile): fewer loads per multiply-add (docs/kernels.md gives the gain).
     */
    private static void tile8x3(float[] a, int ai, int k, float[] b, int bi, int ldb, float[] y, int yi, int ldy, int ldv, float[] scale, float[] shift, int j, float lo, float hi) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S), c02 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S), c12 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S), c22 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S), c32 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S), c42 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S), c52 = FloatVector.zero(S);
        FloatVector c60 = FloatVector.zero(S), c61 = FloatVector.zero(S), c62 = FloatVector.zero(S);
        FloatVector c70 = FloatVector.zero(S), c71 = FloatVector.zero(S), c72 = FloatVector.zero(S);
        for (int p = 0, bp = bi; p < k; p++, bp += ldb) {
            FloatVector b0 = FloatVector.fromArray(S, b, bp), b1 = FloatVector.fromArray(S, b, bp + L), b2 = FloatVector.fromArray(S, b, bp + 2 * L);
            FloatVector x;
            x = FloatVector.broadcast(S, a[ai + p]); c00 = x.fma(b0, c00); c01 = x.fma(b1, c01); c02 = x.fma(b2, c02);
            x = FloatVector.broadcast(S, a[ai + k + p]); c10 = x.fma(b0, c10); c11 = x.fma(b1, c11); c12 = x.fma(b2, c12);
            x = FloatVector.broadcast(S, a[ai + 2 * k + p]); c20 = x.fma(b0, c20); c21 = x.fma(b1, c21); c22 = x.fma(b2, c22);
            x = FloatVector.broadcast(S, a[ai + 3 * k + p]); c30 = x.fma(b0, c30); c31 = x.fma(b1, c31); c32 = x.fma(b2, c32);
            x = FloatVector.broadcast(S, a[ai + 4 * k + p]); c40 = x.fma(b0, c40); c41 = x.fma(b1, c41); c42 = x.fma(b2, c42);
            x = FloatVector.broadcast(S, a[ai + 5 * k + p]); c50 = x.fma(b0, c50); c51 = x.fma(b1, c51); c52 = x.fma(b2, c52);
            x = FloatVector.broadcast(S, a[ai + 6 * k + p]); c60 = x.fma(b0, c60); c61 = x.fma(b1, c61); c62 = x.fma(b2, c62);
            x = FloatVector.broadcast(S, a[ai + 7 * k + p]); c70 = x.fma(b0, c70); c71 = x.fma(b1, c71); c72 = x.fma(b2, c72);
        }
        FloatVector s0 = FloatVector.fromArray(S, scale, j), s1 = FloatVector.fromArray(S, scale, j + L), s2 = FloatVector.fromArray(S, scale, j + 2 * L);
        FloatVector h0 = FloatVector.fromArray(S, shift, j), h1 = FloatVector.fromArray(S, shift, j + L), h2 = FloatVector.fromArray(S, shift, j + 2 * L);
        FloatVector fl = FloatVector.broadcast(S, lo), ca = FloatVector.broadcast(S, hi), v;
        v = c00.fma(s0, h0); v = v.blend(fl, v.lt(fl)); v.blend(ca, v.compare(VectorOperators.GT, ca)).intoArray(y, yi); v = c01.fma(s1, h1); v = v.blend(fl, v.lt(fl)); v.blend(ca, v.compare(VectorOperators.GT, ca)).intoArray(y, yi + ldv); v = c02.fma(s2, h2); v = v.blend(fl, v.lt(fl)); v.blend(ca, v.compare(VectorOperators.GT, ca)).intoArray(y, yi + 2 * ldv); yi += ldy;
        v = c10.fma(s0, h0); v = v.blend(fl, v.lt(fl)); v.blend(ca, v.compare(VectorOperators.GT, ca)).intoArray(y, yi); v = c11.fma(s1, h1); v = v.blend(fl, v.lt(fl)); v.blend(ca, v.compare(VectorOperators.GT, ca)).intoArray(y, yi + ldv); v = c12.fma(s2, h2); v = v.blend(fl, v.lt(fl)); v.blend(ca, v.compare(VectorOperators.GT, ca)).intoArray(y, yi + 2 * ldv); yi += ldy;
        v = c20.fma(s0, h0); v = v.blend(fl, v.lt(fl)); v.blend(ca, v.compare(VectorOperators.GT, ca)).intoArray(y, yi); v = c21.fma(s1, h1); v = v.blend(fl, v.lt(fl)); v.blend(ca, v.compare(VectorOperators.GT, ca)).intoArray(y, yi + ldv); v = c22.fma(s2, h2); v = v.blend(fl, v.lt(fl)); v.blend(ca, v.compare(VectorOperators.GT, ca)).intoArray(y, yi + 2 * ldv); yi += ldy;
        v = c30.fma(s0, h0); v = v.blend(fl, v.lt(fl)); v.blend(ca, v.compare(VectorOperators.GT, ca)).intoArray(y, yi); v = c31.fma(s1, h1); v = v.blend(fl, v.lt(fl)); v.blend(ca, v.compare(VectorOperators.GT, ca)).intoArray(y, yi + ldv); v = c32.fma(s2, h2); v = v.blend(fl, v.lt(fl)); v.blend(ca, v.compare(VectorOperators.GT, ca)).intoArray(y, yi + 2 * ldv); yi += ldy;
        v = c40.fma(s0, h0); v = v.blend(fl, v.lt(fl)); v.blend(ca, v.compare(VectorOperators.GT, ca)).intoArray(y, yi); v = c41.fma(s1, h1); v = v.blend(fl, v.lt(fl)); v.blend(ca, v.compare(VectorOperators.GT, ca)).intoArray(y, yi + ldv); v = c42.fma(s2, h2); v = v.blend(fl, v.lt(fl)); v.blend(ca, v.compare(VectorOperators.GT, ca)).intoArray(y, yi + 2 * ldv); yi += ldy;
        v = c50.fma(s0, h0); v = v.blend(fl, v.lt(fl)); v.blend(ca, v.compare(VectorOperators.GT, ca)).intoArray(y, yi); v = c51.fma(s1, h1); v = v.blend(fl, v.lt(fl)); v.blend(ca, v.compare(VectorOperators.GT, ca)).intoArray(y, yi + ldv); v = c52.fma(s2, h2); v = v.blend(fl, v.lt(fl)); v.blend(ca, v.compare(VectorOperators.GT, ca)).intoArray(y, yi + 2 * ldv); yi += ldy;
        v = c60.fma(s0, h0); v = v.blend(fl, v.lt(fl)); v.blend(ca, v.compare(VectorOperators.GT, ca)).intoArray(y, yi); v = c61.fma(s1, h1); v = v.blend(fl, v.lt(fl)); v.blend(ca, v.compare(VectorOperators.GT, ca)).intoArray(y, yi + ldv); v = c62.fma(s2, h2); v = v.blend(fl, v.lt(fl)); v.blend(ca, v.compare(VectorOperators.GT, ca)).intoArray(y, yi + 2 * ldv); yi += ldy;
        v = c70.fma(s0, h0); v = v.blend(fl, v.lt(fl)); v.blend(ca, v.compare(VectorOperators.GT, ca)).intoArray(y, yi); v = c71.fma(s1, h1); v = v.blend(fl, v.lt(fl)); v.blend(ca, v.compare(VectorOperators.GT, ca)).intoArray(y, yi + ldv); v = c72.fma(s2, h2); v = v.blend(fl, v.lt(fl)); v.blend(ca, v.compare(VectorOperators.GT, ca)).intoArray(y, yi + 2 * ldv);
    }
    /**
     * One row of Y, three vectors: {@link #tile8x3} for a leftover row. k is summed in two halves (even and odd p)
     * so that the multiply-adds of one output vector do not all wait on each other.
     */
    private static void row1x3(float[] a, int ai, int k, float[] b, int bi, int ldb, float[] y, int yi, int ldv, float[] scale,
                               float[] shift, int j, float lo, float hi) {
        FloatVector c0 = FloatVector.zero(S), c1 = FloatVector.zero(S), c2 = FloatVector.zero(S);
        FloatVector d0 = FloatVector.zero(S), d1 = FloatVector.zero(S), d2 = FloatVector.zero(S);
        int p = 0, bp = bi;
        for (; p + 2 <= k; p += 2, bp += 2 * ldb) {
            FloatVector x = FloatVector.broadcast(S, a[ai + p]), z = FloatVector.broadcast(S, a[ai + p + 1]);
            c0 = x.fma(FloatVector.fromArray(S, b, bp), c0);
            c1 = x.fma(FloatVector.fromArray(S, b, bp + L), c1);
            c2 = x.fma(FloatVector.fromArray(S, b, bp + 2 * L), c2);
            d0 = z.fma(FloatVector.fromArray(S, b, bp + ldb), d0);
            d1 = z.fma(FloatVector.fromArray(S, b, bp + ldb + L), d1);
            d2 = z.fma(FloatVector.fromArray(S, b, bp + ldb + 2 * L), d2);
        }
        if (p < k) {
            FloatVector x = FloatVector.broadcast(S, a[ai + p]);
            c0 = x.fma(FloatVector.fromArray(S, b, bp), c0);
            c1 = x.fma(FloatVector.fromArray(S, b, bp + L), c1);
            c2 = x.fma(FloatVector.fromArray(S, b, bp + 2 * L), c2);
        }
        FloatVector fl = FloatVector.broadcast(S, lo), ca = FloatVector.broadcast(S, hi), v;
        v = c0.add(d0).fma(FloatVector.fromArray(S, scale, j), FloatVector.fromArray(S, shift, j)); v = v.blend(fl, v.lt(fl)); v.blend(ca, v.compare(VectorOperators.GT, ca)).intoArray(y, yi);
        v = c1.add(d1).fma(FloatVector.fromArray(S, scale, j + L), FloatVector.fromArray(S, shift, j + L)); v = v.blend(fl, v.lt(fl)); v.blend(ca, v.compare(VectorOperators.GT, ca)).intoArray(y, yi + ldv);
        v = c2.add(d2).fma(FloatVector.fromArray(S, scale, j + 2 * L), FloatVector.fromArray(S, shift, j + 2 * L)); v = v.blend(fl, v.lt(fl)); v.blend(ca, v.compare(VectorOperators.GT, ca)).intoArray(y, yi + 2 * ldv);
    }

    /** One row of Y, two vectors: {@link #row1x3} for the 6×2 panel. */
    private static void row1x2(float[] a, int ai, int k, float[] b, int bi, int ldb, float[] y, int yi, int ldv, float[] scale,
                               float[] shift, int j, float lo, float hi) {
        FloatVector c0 = FloatVector.zero(S), c1 = FloatVector.zero(S), d0 = FloatVector.zero(S), d1 = FloatVector.zero(S);
        int p = 0, bp = bi;
        for (; p + 2 <= k; p += 2, bp += 2 * ldb) {
            FloatVector x = FloatVector.broadcast(S, a[ai + p]), z = FloatVector.broadcast(S, a[ai + p + 1]);
            c0 = x.fma(FloatVector.fromArray(S, b, bp), c0);
            c1 = x.fma(FloatVector.fromArray(S, b, bp + L), c1);
            d0 = z.fma(FloatVector.fromArray(S, b, bp + ldb), d0);
            d1 = z.fma(FloatVector.fromArray(S, b, bp + ldb + L), d1);
        }
        if (p < k) {
            FloatVector x = FloatVector.broadcast(S, a[ai + p]);
            c0 = x.fma(FloatVector.fromArray(S, b, bp), c0);
            c1 = x.fma(FloatVector.fromArray(S, b, bp + L), c1);
        }
        FloatVector fl = FloatVector.broadcast(S, lo), ca = FloatVector.broadcast(S, hi), v;
        v = c0.add(d0).fma(FloatVector.fromArray(S, scale, j), FloatVector.fromArray(S, shift, j)); v = v.blend(fl, v.lt(fl)); v.blend(ca, v.compare(VectorOperators.GT, ca)).intoArray(y, yi);
        v = c1.add(d1).fma(FloatVector.fromArray(S, scale, j + L), FloatVector.fromArray(S, shift, j + L)); v = v.blend(fl, v.lt(fl)); v.blend(ca, v.compare(VectorOperators.GT, ca)).intoArray(y, yi + ldv);
    }

    /** One row of Y, one vector: {@link #row1x3} for the 12×1 panel. */
    private static void row1x1(float[] a, int ai, int k, float[] b, int bi, int ldb, float[] y, int yi, float[] scale,
                               float[] shift, int j, float lo, float hi) {
        FloatVector c0 = FloatVector.zero(S), d0 = FloatVector.zero(S);
        int p = 0, bp = bi;
        for (; p + 2 <= k; p += 2, bp += 2 * ldb) {
            c0 = FloatVector.broadcast(S, a[ai + p]).fma(FloatVector.fromArray(S, b, bp), c0);
            d0 = FloatVector.broadcast(S, a[ai + p + 1]).fma(FloatVector.fromArray(S, b, bp + ldb), d0);
        }
        if (p < k) c0 = FloatVector.broadcast(S, a[ai + p]).fma(FloatVector.fromArray(S, b, bp), c0);
        FloatVector fl = FloatVector.broadcast(S, lo), ca = FloatVector.broadcast(S, hi);
        FloatVector v = c0.add(d0).fma(FloatVector.fromArray(S, scale, j), FloatVector.fromArray(S, shift, j));
        v = v.blend(fl, v.lt(fl));
        v.blend(ca, v.compare(VectorOperators.GT, ca)).intoArray(y, yi);
    }

    /**
     * The distance between neighbouring output pixels' windows in a 3-channel image at stride 2: MobileNetV2's and the
     * face detector's stems, the convolutions {@link #windows} is for.
     */
    private static final int STEM_STEP = 6;

    /**
     * {@link #tile6x2} for six output pixels of the stem, A read from their windows in the image. The pixel step is a
     * constant: the six broadcasts of a k are one index plus constants, which the JIT checks against the array's
     * bounds once and addresses without arithmetic of their own. With the step a variable (the first form of this
     * kernel, for any convolution with 32 outputs) they were six checks and six address computations for twelve
     * multiply-adds, and the kernel was bound by them.
     */
    private static void windowStem(float[] x, int xi, int[] offsets, float[] b, float[] y, int yi, float[] scale,
                                   float[] shift, float lo, float hi) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S), c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S), c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S), c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        for (int kk = 0, bp = 0; kk < offsets.length; kk++, bp += NR) {
            int a = xi + offsets[kk];
            FloatVector b0 = FloatVector.fromArray(S, b, bp), b1 = FloatVector.fromArray(S, b, bp + L);
            FloatVector v;
            v = FloatVector.broadcast(S, x[a]); c00 = v.fma(b0, c00); c01 = v.fma(b1, c01);
            v = FloatVector.broadcast(S, x[a + STEM_STEP]); c10 = v.fma(b0, c10); c11 = v.fma(b1, c11);
            v = FloatVector.broadcast(S, x[a + 2 * STEM_STEP]); c20 = v.fma(b0, c20); c21 = v.fma(b1, c21);
            v = FloatVector.broadcast(S, x[a + 3 * STEM_STEP]); c30 = v.fma(b0, c30); c31 = v.fma(b1, c31);
            v = FloatVector.broadcast(S, x[a + 4 * STEM_STEP]); c40 = v.fma(b0, c40); c41 = v.fma(b1, c41);
            v = FloatVector.broadcast(S, x[a + 5 * STEM_STEP]); c50 = v.fma(b0, c50); c51 = v.fma(b1, c51);
        }
        FloatVector s0 = FloatVector.fromArray(S, scale, 0), s1 = FloatVector.fromArray(S, scale, L);
        FloatVector h0 = FloatVector.fromArray(S, shift, 0), h1 = FloatVector.fromArray(S, shift, L);
        FloatVector fl = FloatVector.broadcast(S, lo), ca = FloatVector.broadcast(S, hi), v;
        v = c00.fma(s0, h0); v = v.blend(fl, v.lt(fl)); v.blend(ca, v.compare(VectorOperators.GT, ca)).intoArray(y, yi);
        v = c01.fma(s1, h1); v = v.blend(fl, v.lt(fl)); v.blend(ca, v.compare(VectorOperators.GT, ca)).intoArray(y, yi + L);
        v = c10.fma(s0, h0); v = v.blend(fl, v.lt(fl)); v.blend(ca, v.compare(VectorOperators.GT, ca)).intoArray(y, yi + NR);
        v = c11.fma(s1, h1); v = v.blend(fl, v.lt(fl)); v.blend(ca, v.compare(VectorOperators.GT, ca)).intoArray(y, yi + NR + L);
        v = c20.fma(s0, h0); v = v.blend(fl, v.lt(fl)); v.blend(ca, v.compare(VectorOperators.GT, ca)).intoArray(y, yi + 2 * NR);
        v = c21.fma(s1, h1); v = v.blend(fl, v.lt(fl)); v.blend(ca, v.compare(VectorOperators.GT, ca)).intoArray(y, yi + 2 * NR + L);
        v = c30.fma(s0, h0); v = v.blend(fl, v.lt(fl)); v.blend(ca, v.compare(VectorOperators.GT, ca)).intoArray(y, yi + 3 * NR);
        v = c31.fma(s1, h1); v = v.blend(fl, v.lt(fl)); v.blend(ca, v.compare(VectorOperators.GT, ca)).intoArray(y, yi + 3 * NR + L);
        v = c40.fma(s0, h0); v = v.blend(fl, v.lt(fl)); v.blend(ca, v.compare(VectorOperators.GT, ca)).intoArray(y, yi + 4 * NR);
        v = c41.fma(s1, h1); v = v.blend(fl, v.lt(fl)); v.blend(ca, v.compare(VectorOperators.GT, ca)).intoArray(y, yi + 4 * NR + L);
        v = c50.fma(s0, h0); v = v.blend(fl, v.lt(fl)); v.blend(ca, v.compare(VectorOperators.GT, ca)).intoArray(y, yi + 5 * NR);
        v = c51.fma(s1, h1); v = v.blend(fl, v.lt(fl)); v.blend(ca, v.compare(VectorOperators.GT, ca)).intoArray(y, yi + 5 * NR + L);
    }

    /**
     * Y[6 rows, 4 vectors] = stage(A·B) for version 4's four-vector panel: 24 accumulators like {@link #tile8x3}, 4
     * loads of B and 6 broadcasts of A for 24 multiply-adds.
     */
    private static void tile6x4(float[] a, int ai, int k, float[] b, int bi, int ldb, float[] y, int yi, int ldy, int ldv,
                                float[] scale, float[] shift, int j, float lo, float hi) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S), c02 = FloatVector.zero(S), c03 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S), c12 = FloatVector.zero(S), c13 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S), c22 = FloatVector.zero(S), c23 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S), c32 = FloatVector.zero(S), c33 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S), c42 = FloatVector.zero(S), c43 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S), c52 = FloatVector.zero(S), c53 = FloatVector.zero(S);
        int a0 = ai, a1 = ai + k, a2 = ai + 2 * k, a3 = ai + 3 * k, a4 = ai + 4 * k, a5 = ai + 5 * k;
        for (int p = 0, bp = bi; p < k; p++, bp += ldb) {
            FloatVector b0 = FloatVector.fromArray(S, b, bp), b1 = FloatVector.fromArray(S, b, bp + L), b2 = FloatVector.fromArray(S, b, bp + 2 * L), b3 = FloatVector.fromArray(S, b, bp + 3 * L);
            FloatVector x;
            x = FloatVector.broadcast(S, a[a0 + p]); c00 = x.fma(b0, c00); c01 = x.fma(b1, c01); c02 = x.fma(b2, c02); c03 = x.fma(b3, c03);
            x = FloatVector.broadcast(S, a[a1 + p]); c10 = x.fma(b0, c10); c11 = x.fma(b1, c11); c12 = x.fma(b2, c12); c13 = x.fma(b3, c13);
            x = FloatVector.broadcast(S, a[a2 + p]); c20 = x.fma(b0, c20); c21 = x.fma(b1, c21); c22 = x.fma(b2, c22); c23 = x.fma(b3, c23);
            x = FloatVector.broadcast(S, a[a3 + p]); c30 = x.fma(b0, c30); c31 = x.fma(b1, c31); c32 = x.fma(b2, c32); c33 = x.fma(b3, c33);
            x = FloatVector.broadcast(S, a[a4 + p]); c40 = x.fma(b0, c40); c41 = x.fma(b1, c41); c42 = x.fma(b2, c42); c43 = x.fma(b3, c43);
            x = FloatVector.broadcast(S, a[a5 + p]); c50 = x.fma(b0, c50); c51 = x.fma(b1, c51); c52 = x.fma(b2, c52); c53 = x.fma(b3, c53);
        }
        FloatVector s0 = FloatVector.fromArray(S, scale, j), h0 = FloatVector.fromArray(S, shift, j);
        FloatVector s1 = FloatVector.fromArray(S, scale, j + L), h1 = FloatVector.fromArray(S, shift, j + L);
        FloatVector s2 = FloatVector.fromArray(S, scale, j + 2 * L), h2 = FloatVector.fromArray(S, shift, j + 2 * L);
        FloatVector s3 = FloatVector.fromArray(S, scale, j + 3 * L), h3 = FloatVector.fromArray(S, shift, j + 3 * L);
        FloatVector fl = FloatVector.broadcast(S, lo), ca = FloatVector.broadcast(S, hi), v;
        v = c00.fma(s0, h0); v = v.blend(fl, v.lt(fl)); v.blend(ca, v.compare(VectorOperators.GT, ca)).intoArray(y, yi);
        v = c01.fma(s1, h1); v = v.blend(fl, v.lt(fl)); v.blend(ca, v.compare(VectorOperators.GT, ca)).intoArray(y, yi + ldv);
        v = c02.fma(s2, h2); v = v.blend(fl, v.lt(fl)); v.blend(ca, v.compare(VectorOperators.GT, ca)).intoArray(y, yi + 2 * ldv);
        v = c03.fma(s3, h3); v = v.blend(fl, v.lt(fl)); v.blend(ca, v.compare(VectorOperators.GT, ca)).intoArray(y, yi + 3 * ldv); yi += ldy;
        v = c10.fma(s0, h0); v = v.blend(fl, v.lt(fl)); v.blend(ca, v.compare(VectorOperators.GT, ca)).intoArray(y, yi);
        v = c11.fma(s1, h1); v = v.blend(fl, v.lt(fl)); v.blend(ca, v.compare(VectorOperators.GT, ca)).intoArray(y, yi + ldv);
        v = c12.fma(s2, h2); v = v.blend(fl, v.lt(fl)); v.blend(ca, v.compare(VectorOperators.GT, ca)).intoArray(y, yi + 2 * ldv);
        v = c13.fma(s3, h3); v = v.blend(fl, v.lt(fl)); v.blend(ca, v.compare(VectorOperators.GT, ca)).intoArray(y, yi + 3 * ldv); yi += ldy;
        v = c20.fma(s0, h0); v = v.blend(fl, v.lt(fl)); v.blend(ca, v.compare(VectorOperators.GT, ca)).intoArray(y, yi);
        v = c21.fma(s1, h1); v = v.blend(fl, v.lt(fl)); v.blend(ca, v.compare(VectorOperators.GT, ca)).intoArray(y, yi + ldv);
        v = c22.fma(s2, h2); v = v.blend(fl, v.lt(fl)); v.blend(ca, v.compare(VectorOperators.GT, ca)).intoArray(y, yi + 2 * ldv);
        v = c23.fma(s3, h3); v = v.blend(fl, v.lt(fl)); v.blend(ca, v.compare(VectorOperators.GT, ca)).intoArray(y, yi + 3 * ldv); yi += ldy;
        v = c30.fma(s0, h0); v = v.blend(fl, v.lt(fl)); v.blend(ca, v.compare(VectorOperators.GT, ca)).intoArray(y, yi);
        v = c31.fma(s1, h1); v = v.blend(fl, v.lt(fl)); v.blend(ca, v.compare(VectorOperators.GT, ca)).intoArray(y, yi + ldv);
        v = c32.fma(s2, h2); v = v.blend(fl, v.lt(fl)); v.blend(ca, v.compare(VectorOperators.GT, ca)).intoArray(y, yi + 2 * ldv);
        v = c33.fma(s3, h3); v = v.blend(fl, v.lt(fl)); v.blend(ca, v.compare(VectorOperators.GT, ca)).intoArray(y, yi + 3 * ldv); yi += ldy;
        v = c40.fma(s0, h0); v = v.blend(fl, v.lt(fl)); v.blend(ca, v.compare(VectorOperators.GT, ca)).intoArray(y, yi);
        v = c41.fma(s1, h1); v = v.blend(fl, v.lt(fl)); v.blend(ca, v.compare(VectorOperators.GT, ca)).intoArray(y, yi + ldv);
        v = c42.fma(s2, h2); v = v.blend(fl, v.lt(fl)); v.blend(ca, v.compare(VectorOperators.GT, ca)).intoArray(y, yi + 2 * ldv);
        v = c43.fma(s3, h3); v = v.blend(fl, v.lt(fl)); v.blend(ca, v.compare(VectorOperators.GT, ca)).intoArray(y, yi + 3 * ldv); yi += ldy;
        v = c50.fma(s0, h0); v = v.blend(fl, v.lt(fl)); v.blend(ca, v.compare(VectorOperators.GT, ca)).intoArray(y, yi);
        v = c51.fma(s1, h1); v = v.blend(fl, v.lt(fl)); v.blend(ca, v.compare(VectorOperators.GT, ca)).intoArray(y, yi + ldv);
        v = c52.fma(s2, h2); v = v.blend(fl, v.lt(fl)); v.blend(ca, v.compare(VectorOperators.GT, ca)).intoArray(y, yi + 2 * ldv);
        v = c53.fma(s3, h3); v = v.blend(fl, v.lt(fl)); v.blend(ca, v.compare(VectorOperators.GT, ca)).intoArray(y, yi + 3 * ldv);
    }

    /** Y[6 rows, 2 vectors] = stage(A[6 rows, k]·B[k, 2 vectors]): twelve accumulators in registers. */
    private static void tile6x2(float[] a, int ai, int k, float[] b, int bi, int ldb, float[] y, int yi, int ldy, int ldv,
                                float[] scale, float[] shift, int j, float lo, float hi) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S), c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S), c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S), c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        int a0 = ai, a1 = ai + k, a2 = ai + 2 * k, a3 = ai + 3 * k, a4 = ai + 4 * k, a5 = ai + 5 * k;
        for (int p = 0, bp = bi; p < k; p++, bp += ldb) {
            FloatVector b0 = FloatVector.fromArray(S, b, bp), b1 = FloatVector.fromArray(S, b, bp + L);
            FloatVector x;
            x = FloatVector.broadcast(S, a[a0 + p]); c00 = x.fma(b0, c00); c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, a[a1 + p]); c10 = x.fma(b0, c10); c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, a[a2 + p]); c20 = x.fma(b0, c20); c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, a[a3 + p]); c30 = x.fma(b0, c30); c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(S, a[a4 + p]); c40 = x.fma(b0, c40); c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(S, a[a5 + p]); c50 = x.fma(b0, c50); c51 = x.fma(b1, c51);
        }
        FloatVector s0 = FloatVector.fromArray(S, scale, j), s1 = FloatVector.fromArray(S, scale, j + L);
        FloatVector h0 = FloatVector.fromArray(S, shift, j), h1 = FloatVector.fromArray(S, shift, j + L);
        FloatVector fl = FloatVector.broadcast(S, lo), ca = FloatVector.broadcast(S, hi), v;
        v = c00.fma(s0, h0); v = v.blend(fl, v.lt(fl)); v.blend(ca, v.compare(VectorOperators.GT, ca)).intoArray(y, yi);
        v = c01.fma(s1, h1); v = v.blend(fl, v.lt(fl)); v.blend(ca, v.compare(VectorOperators.GT, ca)).intoArray(y, yi + ldv);
        v = c10.fma(s0, h0); v = v.blend(fl, v.lt(fl)); v.blend(ca, v.compare(VectorOperators.GT, ca)).intoArray(y, yi + ldy);
        v = c11.fma(s1, h1); v = v.blend(fl, v.lt(fl)); v.blend(ca, v.compare(VectorOperators.GT, ca)).intoArray(y, yi + ldy + ldv);
        v = c20.fma(s0, h0); v = v.blend(fl, v.lt(fl)); v.blend(ca, v.compare(VectorOperators.GT, ca)).intoArray(y, yi + 2 * ldy);
        v = c21.fma(s1, h1); v = v.blend(fl, v.lt(fl)); v.blend(ca, v.compare(VectorOperators.GT, ca)).intoArray(y, yi + 2 * ldy + ldv);
        v = c30.fma(s0, h0); v = v.blend(fl, v.lt(fl)); v.blend(ca, v.compare(VectorOperators.GT, ca)).intoArray(y, yi + 3 * ldy);
        v = c31.fma(s1, h1); v = v.blend(fl, v.lt(fl)); v.blend(ca, v.compare(VectorOperators.GT, ca)).intoArray(y, yi + 3 * ldy + ldv);
        v = c40.fma(s0, h0); v = v.blend(fl, v.lt(fl)); v.blend(ca, v.compare(VectorOperators.GT, ca)).intoArray(y, yi + 4 * ldy);
        v = c41.fma(s1, h1); v = v.blend(fl, v.lt(fl)); v.blend(ca, v.compare(VectorOperators.GT, ca)).intoArray(y, yi + 4 * ldy + ldv);
        v = c50.fma(s0, h0); v = v.blend(fl, v.lt(fl)); v.blend(ca, v.compare(VectorOperators.GT, ca)).intoArray(y, yi + 5 * ldy);
        v = c51.fma(s1, h1); v = v.blend(fl, v.lt(fl)); v.blend(ca, v.compare(VectorOperators.GT, ca)).intoArray(y, yi + 5 * ldy + ldv);
    }

    /** Y[12 rows, 1 vector] = stage(A·B) for a panel one vector wide (row stride of Y: ldy). */
    private static void tile12x1(float[] a, int ai, int k, float[] b, int bi, int ldb, float[] y, int yi, int ldy,
                                 float[] scale, float[] shift, int j, float lo, float hi) {
        FloatVector c0 = FloatVector.zero(S), c1 = FloatVector.zero(S), c2 = FloatVector.zero(S), c3 = FloatVector.zero(S);
        FloatVector c4 = FloatVector.zero(S), c5 = FloatVector.zero(S), c6 = FloatVector.zero(S), c7 = FloatVector.zero(S);
        FloatVector c8 = FloatVector.zero(S), c9 = FloatVector.zero(S), c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        for (int p = 0, bp = bi, ap = ai; p < k; p++, bp += ldb, ap++) {
            FloatVector v = FloatVector.fromArray(S, b, bp);
            c0 = FloatVector.broadcast(S, a[ap]).fma(v, c0);
            c1 = FloatVector.broadcast(S, a[ap + k]).fma(v, c1);
            c2 = FloatVector.broadcast(S, a[ap + 2 * k]).fma(v, c2);
            c3 = FloatVector.broadcast(S, a[ap + 3 * k]).fma(v, c3);
            c4 = FloatVector.broadcast(S, a[ap + 4 * k]).fma(v, c4);
            c5 = FloatVector.broadcast(S, a[ap + 5 * k]).fma(v, c5);
            c6 = FloatVector.broadcast(S, a[ap + 6 * k]).fma(v, c6);
            c7 = FloatVector.broadcast(S, a[ap + 7 * k]).fma(v, c7);
            c8 = FloatVector.broadcast(S, a[ap + 8 * k]).fma(v, c8);
            c9 = FloatVector.broadcast(S, a[ap + 9 * k]).fma(v, c9);
            c10 = FloatVector.broadcast(S, a[ap + 10 * k]).fma(v, c10);
            c11 = FloatVector.broadcast(S, a[ap + 11 * k]).fma(v, c11);
        }
        FloatVector s = FloatVector.fromArray(S, scale, j), h = FloatVector.fromArray(S, shift, j);
        FloatVector fl = FloatVector.broadcast(S, lo), ca = FloatVector.broadcast(S, hi), v;
        v = c0.fma(s, h); v = v.blend(fl, v.lt(fl)); v.blend(ca, v.compare(VectorOperators.GT, ca)).intoArray(y, yi);
        v = c1.fma(s, h); v = v.blend(fl, v.lt(fl)); v.blend(ca, v.compare(VectorOperators.GT, ca)).intoArray(y, yi + ldy);
        v = c2.fma(s, h); v = v.blend(fl, v.lt(fl)); v.blend(ca, v.compare(VectorOperators.GT, ca)).intoArray(y, yi + 2 * ldy);
        v = c3.fma(s, h); v = v.blend(fl, v.lt(fl)); v.blend(ca, v.compare(VectorOperators.GT, ca)).intoArray(y, yi + 3 * ldy);
        v = c4.fma(s, h); v = v.blend(fl, v.lt(fl)); v.blend(ca, v.compare(VectorOperators.GT, ca)).intoArray(y, yi + 4 * ldy);
        v = c5.fma(s, h); v = v.blend(fl, v.lt(fl)); v.blend(ca, v.compare(VectorOperators.GT, ca)).intoArray(y, yi + 5 * ldy);
        v = c6.fma(s, h); v = v.blend(fl, v.lt(fl)); v.blend(ca, v.compare(VectorOperators.GT, ca)).intoArray(y, yi + 6 * ldy);
        v = c7.fma(s, h); v = v.blend(fl, v.lt(fl)); v.blend(ca, v.compare(VectorOperators.GT, ca)).intoArray(y, yi + 7 * ldy);
        v = c8.fma(s, h); v = v.blend(fl, v.lt(fl)); v.blend(ca, v.compare(VectorOperators.GT, ca)).intoArray(y, yi + 8 * ldy);
        v = c9.fma(s, h); v = v.blend(fl, v.lt(fl)); v.blend(ca, v.compare(VectorOperators.GT, ca)).intoArray(y, yi + 9 * ldy);
        v = c10.fma(s, h); v = v.blend(fl, v.lt(fl)); v.blend(ca, v.compare(VectorOperators.GT, ca)).intoArray(y, yi + 10 * ldy);
        v = c11.fma(s, h); v = v.blend(fl, v.lt(fl)); v.blend(ca, v.compare(VectorOperators.GT, ca)).intoArray(y, yi + 11 * ldy);
    }
}
