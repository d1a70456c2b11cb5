package pinkcnn.engine.cpu;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import pinkcnn.engine.backend.ConvGeometry;
import pinkcnn.engine.backend.Storage;

/**
 * Dense 2-D convolution (NHWC, HWIO kernels) on the CPU as GEMM. A 1×1 stride-1 convolution is already a GEMM over
 * the N·H·W pixel rows. Other convolutions first unfold each image's receptive fields into a matrix ("im2col":
 * one row per output pixel, kh·kw·cin columns in HWI order, which is the row order of the HWIO kernel) and then
 * multiply it with the kernel:
 * <pre>
 *   y  = col · W          (rows × cout)  = (rows × K)·(K × cout)
 *   dW += colᵀ · dy       (K × cout)
 *   dcol = dy · Wᵀ, then folded back ("col2im") into dx
 * </pre>
 */
final class CpuConv {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    private final CpuGemm gemm;
    private final CpuConvTiles tiles;
    private final Parallel parallel;
    private float[] col = new float[0];
    /**
     * Room for version 2's zero-padded last columns of a kernel: one for a convolution, two for a block's expansion
     * and projection ({@link #weights}).
     */
    private final float[][] tails = {new float[0], new float[0], new float[0]};
    /** Per thread, the unfolded strip. */
    private static final ThreadLocal<float[]> STRIP = ThreadLocal.withInitial(() -> new float[0]);
    /**
     * The forward product's version: 1 {@link CpuGemm}, 2 {@link CpuConvTiles} with B read in place, 3 the same
     * tiles with 1×1 kernels packed once per weight storage ({@link CpuStorage#packed}), 4 the same with a
     * four-vector panel where version 3 ends on a one-vector one ({@link CpuConvTiles.Operand#packed}).
     */
    private volatile int forwardVersion = 4;
    /**
     * The 1×1 convolutions' gradients: 1 {@link CpuGemm}'s transposed products, 2 the forward product's tiles on
     * transposed copies ({@link #inputGrad}, {@link #weightGrad}).
     */
    private volatile int gradVersion = 2;
    /** Version 2's transposed operand and the product before it is added into the gradient. */
    private float[] transposed = new float[0], product = new float[0];

    CpuConv(CpuGemm gemm, Parallel parallel) {
        this.gemm = gemm;
        this.tiles = new CpuConvTiles(parallel);
        this.parallel = parallel;
    }

    void useForwardVersion(int version) {
        forwardVersion = version;
    }

    int forwardVersion() {
        return forwardVersion;
    }

    void useGradVersion(int version) {
        gradVersion = version;
    }

    int gradVersion() {
        return gradVersion;
    }

    /**
     * The 1×1 kernel w (k × n) as the tiled products' B: from version 3 packed panel after panel (from version 4
     * with the four-vector panel) and kept with the storage until something else reads or writes it ({@link CpuStorage#packed}); in version 2 read in place, its
     * last columns copied into room {@code tail} (0 for a convolution, 1 and 2 for a block's two products).
     */
    CpuConvTiles.Operand weights(Storage w, int k, int n, int tail) {
        return forwardVersion >= 3 ? ((CpuStorage) w).packed(k, n, forwardVersion >= 4)
                : inPlace(CpuBackend.array(w), k, n, tail);
    }

    /** The kernel as version 2's B operand, its padded last columns (if any) in room {@code tail} of this object. */
    private CpuConvTiles.Operand inPlace(float[] w, int k, int n, int tail) {
        if (tails[tail].length < CpuConvTiles.tailFloats(k)) tails[tail] = new float[CpuConvTiles.tailFloats(k)];
        return CpuConvTiles.Operand.of(w, k, n, tails[tail]);
    }

    /** {@link #forward(ConvGeometry, float[], float[], float[], OutputStage)} with the kernel as a storage. */
    synchronized void forward(ConvGeometry g, float[] x, Storage w, float[] y, OutputStage stage) {
        if (g.isPointwise() && forwardVersion >= 2) {
            tiles.multiply(g.n() * g.h() * g.w(), weights(w, g.cin(), g.cout(), 0), x, 0, y, 0, stage);
        } else {
            forward(g, x, CpuBackend.array(w), y, stage);
        }
    }

    synchronized void forward(ConvGeometry g, float[] x, float[] w, float[] y) {
        forward(g, x, w, y, null);
    }

    /** The convolution with {@code stage} applied in the GEMM's output stage (null: none). */
    synchronized void forward(ConvGeometry g, float[] x, float[] w, float[] y, OutputStage stage) {
        int k = g.kh() * g.kw() * g.cin(), cout = g.cout();
        if (g.isPointwise()) {
            multiply(g.n() * g.h() * g.w(), k, cout, x, w, y, 0, stage);
            return;
        }
        if (forwardVersion >= 2) {
            forwardInStrips(g, x, w, y, stage);
            return;
        }
        int rows = g.outH() * g.outW();
        float[] cols = workspace((long) rows * k);
        for (int img = 0; img < g.n(); img++) {
            im2col(g, x, img, cols);
            gemm.gemm(false, false, rows, cout, k, 1f, cols, 0, k, w, 0, cout, 0f, y, img * rows * cout, cout, stage);
        }
    }

    /** y[yOff…] = stage(a (rows × k) · w (k × cout)). */
    private void multiply(int rows, int k, int cout, float[] a, float[] w, float[] y, int yOff, OutputStage stage) {
        if (forwardVersion >= 2) tiles.multiply(rows, inPlace(w, k, cout, 0), a, 0, y, yOff, stage);
        else gemm.gemm(false, false, rows, cout, k, 1f, a, 0, k, w, 0, cout, 0f, y, yOff, cout, stage);
    }

    /**
     * Version 2's convolutions other than 1×1: each task takes a strip of output rows, unfolds it into a buffer of its
     * own, which stays in cache, and multiplies it at once ({@link CpuConvTiles}); version 1 unfolds a whole image
     * into memory first and then multiplies (the stem of MobileNetV2: 12,544 × 27 floats, written and read back).
     * With 32 output channels from 3 at stride 2 (MobileNetV2's and the face detector's stems) the pixels whose whole
     * window is inside the image are not unfolded at all: {@link CpuConvTiles#windows} reads their windows straight
     * from the image.
     */
    private void forwardInStrips(ConvGeometry g, float[] x, float[] w, float[] y, OutputStage stage) {
        int k = g.kh() * g.kw() * g.cin(), cout = g.cout(), ow_ = g.outW(), oh_ = g.outH();
        CpuConvTiles.Operand op = inPlace(w, k, cout, 0);
        OutputStage st = stage != null ? stage : OutputStage.identity(cout);
        int strip = Math.max(1, Math.min(oh_, STRIP_PIXELS / ow_));
        int strips = (oh_ + strip - 1) / strip;
        int grain = 2.0 * g.n() * oh_ * ow_ * k * cout < CpuGemm.PARALLEL_FLOPS ? Integer.MAX_VALUE : 1;
        boolean direct = CpuConvTiles.windowsFit(op, g.stride() * g.cin());
        // output columns whose kw taps are all inside the image
        int cLo = Math.min(ow_, (g.padLeft() + g.stride() - 1) / g.stride());
        int cHi = Math.max(cLo, Math.min(ow_, g.w() - g.kw() + g.padLeft() >= 0 ? (g.w() - g.kw() + g.padLeft()) / g.stride() + 1 : 0));
        int run = g.kw() * g.cin();
        parallel.forRange(g.n() * strips, grain, (from, to) -> {
            float[] cols = STRIP.get();
            if (cols.length < strip * ow_ * k + L) STRIP.set(cols = new float[strip * ow_ * k + L]);
            for (int t = from; t < to; t++) {
                int img = t / strips, oh0 = t % strips * strip, oh1 = Math.min(oh_, oh0 + strip);
                if (!direct) {
                    im2colRange(g, x, img, oh0, 0, oh1, ow_, cols);
                    CpuConvTiles.multiplyHere((oh1 - oh0) * ow_, op, cols, 0, y, (img * oh_ + oh0) * ow_ * cout, st);
                    continue;
                }
                for (int oh = oh0; oh < oh1; oh++) {
                    int ih0 = oh * g.stride() - g.padTop(), yRow = (img * oh_ + oh) * ow_ * cout;
                    boolean rowsInside = ih0 >= 0 && ih0 + g.kh() <= g.h();
                    int dLo = rowsInside ? cLo : ow_, dHi = rowsInside ? cLo + (cHi - cLo) / 6 * 6 : ow_;
                    if (dHi > dLo) {
                        int xi = ((img * g.h() + ih0) * g.w() + dLo * g.stride() - g.padLeft()) * g.cin();
                        CpuConvTiles.windows(dHi - dLo, x, xi, g.w() * g.cin(), g.kh(), run, op, y, yRow + dLo * cout,
                                st);
                    }
                    // the rest of the row, unfolded: the edges, and pixels left over from the direct runs of six
                    if (dLo > 0) {
                        im2colRange(g, x, img, oh, 0, oh + 1, dLo, cols);
                        CpuConvTiles.multiplyHere(dLo, op, cols, 0, y, yRow, st);
                    }
                    if (dHi < ow_) {
                        im2colRange(g, x, img, oh, dHi, oh + 1, ow_, cols);
                        CpuConvTiles.multiplyHere(ow_ - dHi, op, cols, 0, y, yRow + dHi * cout, st);
                    }
                }
            }
        });
    }

    /** Output pixels per strip of {@link #forwardInStrips}: at least one row; the buffer stays in the L2 cache. */
    private static final int STRIP_PIXELS = 256;

    /**
     * {@link #im2col} for one image's output pixels from (oh0, ow0) on, row by row, up to column ow1 of row oh1 − 1
     * (whole rows between), into cols from 0. A window row whose kw taps are all inside the input is kw·cin
     * contiguous floats of x (9 for the stem), copied at once.
     */
    private static void im2colRange(ConvGeometry g, float[] x, int img, int oh0, int ow0, int oh1, int ow1, float[] cols) {
        int ow_ = g.outW(), cin = g.cin(), kw = g.kw(), s = g.stride(), run = kw * cin, dst = 0;
        for (int oh = oh0; oh < oh1; oh++) {
            int from = oh == oh0 ? ow0 : 0, to = oh == oh1 - 1 ? ow1 : ow_;
            for (int ow = from; ow < to; ow++) {
                int iw0 = ow * s - g.padLeft();
                boolean columnsInside = iw0 >= 0 && iw0 + kw <= g.w();
                for (int i = 0; i < g.kh(); i++, dst += run) {
                    int ih = oh * s + i - g.padTop();
                    int rowStart = ((img * g.h() + ih) * g.w() + iw0) * cin;
                    if (ih < 0 || ih >= g.h()) {
                        for (int c = 0; c < run; c++) cols[dst + c] = 0f;
                    } else if (columnsInside && run <= L && rowStart + L <= x.length) {
                        // one vector copies the run (and up to a vector of what follows it in x, which the next
                        // runs overwrite; cols has a vector of room at its end)
                        FloatVector.fromArray(S, x, rowStart).intoArray(cols, dst);
                    } else if (columnsInside) {
                        for (int c = 0; c < run; c++) cols[dst + c] = x[rowStart + c];
                    } else {
                        for (int j = 0; j < kw; j++) {
                            boolean inside = iw0 + j >= 0 && iw0 + j < g.w();
                            for (int c = 0; c < cin; c++) cols[dst + j * cin + c] = inside ? x[rowStart + j * cin + c] : 0f;
                        }
                    }
                }
            }
        }
    }

    /**
     * dx += dy·Wᵀ. For a 1×1 convolution in version 2, as the forward pass multiplies: Wᵀ (cout × cin) copied once
     * into a packed B, the rows of dy through the tiled product into a buffer, then added into dx: the tiles run
     * these products faster than {@link CpuGemm}'s transposed one (docs/kernels.md, "The training step").
     */
    synchronized void inputGrad(ConvGeometry g, float[] dy, float[] w, float[] dx) {
        int k = g.kh() * g.kw() * g.cin(), cout = g.cout();
        if (g.isPointwise()) {
            int rows = g.n() * g.h() * g.w(), cin = g.cin();
            if (gradVersion == 1) {
                gemm.gemm(false, true, rows, cin, cout, 1f, dy, 0, cout, w, 0, cout, 1f, dx, 0, cin);
                return;
            }
            float[] wt = transpose(w, cin, cout);
            CpuConvTiles.Operand op = CpuConvTiles.Operand.packed(wt, cout, cin, true);
            float[] out = product((long) rows * cin);
            tiles.multiply(rows, op, dy, 0, out, 0, null);
            addInto(dx, out, (long) rows * cin);
            return;
        }
        int rows = g.outH() * g.outW();
        float[] cols = workspace((long) rows * k);
        for (int img = 0; img < g.n(); img++) {
            gemm.gemm(false, true, rows, k, cout, 1f, dy, img * rows * cout, cout, w, 0, cout, 0f, cols, 0, k);
            col2imAdd(g, cols, img, dx);
        }
    }

    /**
     * dW += xᵀ·dy. For a 1×1 convolution in version 2 through the tiled product, with k = the pixels: the operand with
     * fewer channels transposed as A and the other read in place as B, so the copy is the smaller one: xᵀ·dy when
     * cin ≤ cout, else (dyᵀ·x)ᵀ, whose cout × cin product is added into dW transposed.
     */
    synchronized void weightGrad(ConvGeometry g, float[] x, float[] dy, float[] dw) {
        int k = g.kh() * g.kw() * g.cin(), cout = g.cout();
        if (g.isPointwise()) {
            int rows = g.n() * g.h() * g.w(), cin = g.cin();
            if (gradVersion == 1) {
                gemm.gemm(true, false, cin, cout, rows, 1f, x, 0, cin, dy, 0, cout, 1f, dw, 0, cout);
                return;
            }
            float[] out = product((long) cin * cout);
            if (cin <= cout) {
                tiles.multiply(cin, CpuConvTiles.Operand.of(dy, rows, cout), transpose(x, rows, cin), 0, out, 0, null);
                addInto(dw, out, (long) cin * cout);
            } else {
                tiles.multiply(cout, CpuConvTiles.Operand.of(x, rows, cin), transpose(dy, rows, cout), 0, out, 0, null);
                for (int o = 0; o < cout; o++) for (int i = 0; i < cin; i++) dw[i * cout + o] += out[o * cin + i];
            }
            return;
        }
        int rows = g.outH() * g.outW();
        float[] cols = workspace((long) rows * k);
        for (int img = 0; img < g.n(); img++) {
            im2col(g, x, img, cols);
            gemm.gemm(true, false, k, cout, rows, 1f, cols, 0, k, dy, img * rows * cout, cout, 1f, dw, 0, cout);
        }
    }

    /** cols[(oh·OW + ow), (i·kw + j)·cin + ci] = x[img, oh·s + i − pt, ow·s + j − pl, ci], zero outside. */
    private void im2col(ConvGeometry g, float[] x, int img, float[] cols) {
        int ow_ = g.outW(), cin = g.cin(), k = g.kh() * g.kw() * cin;
        parallel.forRange(g.outH(), 4, (from, to) -> {
            for (int oh = from; oh < to; oh++) {
                for (int ow = 0; ow < ow_; ow++) {
                    int dst = (oh * ow_ + ow) * k;
                    for (int i = 0; i < g.kh(); i++) {
                        int ih = oh * g.stride() + i - g.padTop();
                        for (int j = 0; j < g.kw(); j++, dst += cin) {
                            int iw = ow * g.stride() + j - g.padLeft();
                            if (ih < 0 || ih >= g.h() || iw < 0 || iw >= g.w()) Arrays.fill(cols, dst, dst + cin, 0f);
                            else System.arraycopy(x, ((img * g.h() + ih) * g.w() + iw) * cin, cols, dst, cin);
                        }
                    }
                }
            }
        });
    }

    /**
     * The adjoint of im2col, written as a gather so that threads own disjoint input rows: every input pixel sums the
     * column entries of the output pixels whose windows cover it.
     */
    private void col2imAdd(ConvGeometry g, float[] cols, int img, float[] dx) {
        int cin = g.cin(), k = g.kh() * g.kw() * cin;
        parallel.forRange(g.h(), 2, (from, to) -> {
            int[] outs = PaddedWindow.buffer(g), taps = PaddedWindow.buffer(g);
            for (int ih = from; ih < to; ih++) {
                for (int iw = 0; iw < g.w(); iw++) {
                    int dst = ((img * g.h() + ih) * g.w() + iw) * cin;
                    // cols holds one image: its output pixels are those of image 0
                    int t = PaddedWindow.coveringOutputs(g, 0, ih, iw, outs, taps);
                    for (int j = 0; j < t; j++) VectorMath.add(dx, dst, cols, outs[j] * k + taps[j] * cin, cin);
                }
            }
        });
    }

    /** a (rows × cols, row-major) transposed into {@link #transposed}: cols × rows, row-major. */
    private float[] transpose(float[] a, int rows, int cols) {
        long size = (long) rows * cols;
        if (size > Integer.MAX_VALUE) throw new IllegalArgumentException("transposed operand too large: " + size);
        if (transposed.length < size) transposed = new float[(int) size];
        float[] t = transposed;
        // in blocks of 64 × 64, so that both sides stay in cache
        int tiles = (rows + 63) / 64;
        parallel.forRange(tiles, 1, (from, to) -> {
            for (int r0 = from * 64; r0 < Math.min(rows, to * 64); r0 += 64) {
                for (int c0 = 0; c0 < cols; c0 += 64) {
                    for (int r = r0; r < Math.min(rows, r0 + 64); r++) {
                        for (int c = c0; c < Math.min(cols, c0 + 64); c++) t[c * rows + r] = a[r * cols + c];
                    }
                }
            }
        });
        return t;
    }

    /** Room for a product of {@code size} floats before it is added into a gradient, reused from call to call. */
    private float[] product(long size) {
        if (size > Integer.MAX_VALUE) throw new IllegalArgumentException("product buffer too large: " + size);
        if (product.length < size) product = new float[(int) size];
        return product;
    }

    /** y[0, n) += x[0, n), spread over the threads in runs of at least 16K floats. */
    private void addInto(float[] y, float[] x, long n) {
        parallel.forRange(Math.toIntExact(n), 1 << 14, (from, to) -> VectorMath.add(y, from, x, from, to - from));
    }

    private float[] workspace(long size) {
        if (size > Integer.MAX_VALUE) throw new IllegalArgumentException("im2col buffer too large: " + size);
        if (col.length < size) col = new float[(int) size];
        return col;
    }
}
