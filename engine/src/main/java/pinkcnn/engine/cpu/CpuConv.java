package pinkcnn.engine.cpu;

import java.util.Arrays;
import pinkcnn.engine.backend.ConvGeometry;

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
    private final CpuGemm gemm;
    private final Parallel parallel;
    private float[] col = new float[0];

    CpuConv(CpuGemm gemm, Parallel parallel) {
        this.gemm = gemm;
        this.parallel = parallel;
    }

    synchronized void forward(ConvGeometry g, float[] x, float[] w, float[] y) {
        forward(g, x, w, y, null);
    }

    /** The convolution with {@code stage} applied in the GEMM's output stage (null: none). */
    synchronized void forward(ConvGeometry g, float[] x, float[] w, float[] y, OutputStage stage) {
        int k = g.kh() * g.kw() * g.cin(), cout = g.cout();
        if (g.isPointwise()) {
            gemm.gemm(false, false, g.n() * g.h() * g.w(), cout, g.cin(), 1f, x, 0, g.cin(), w, 0, cout, 0f, y, 0, cout, stage);
            return;
        }
        int rows = g.outH() * g.outW();
        float[] cols = workspace((long) rows * k);
        for (int img = 0; img < g.n(); img++) {
            im2col(g, x, img, cols);
            gemm.gemm(false, false, rows, cout, k, 1f, cols, 0, k, w, 0, cout, 0f, y, img * rows * cout, cout, stage);
        }
    }

    synchronized void inputGrad(ConvGeometry g, float[] dy, float[] w, float[] dx) {
        int k = g.kh() * g.kw() * g.cin(), cout = g.cout();
        if (g.isPointwise()) {
            gemm.gemm(false, true, g.n() * g.h() * g.w(), g.cin(), cout, 1f, dy, 0, cout, w, 0, cout, 1f, dx, 0, g.cin());
            return;
        }
        int rows = g.outH() * g.outW();
        float[] cols = workspace((long) rows * k);
        for (int img = 0; img < g.n(); img++) {
            gemm.gemm(false, true, rows, k, cout, 1f, dy, img * rows * cout, cout, w, 0, cout, 0f, cols, 0, k);
            col2imAdd(g, cols, img, dx);
        }
    }

    synchronized void weightGrad(ConvGeometry g, float[] x, float[] dy, float[] dw) {
        int k = g.kh() * g.kw() * g.cin(), cout = g.cout();
        if (g.isPointwise()) {
            gemm.gemm(true, false, g.cin(), cout, g.n() * g.h() * g.w(), 1f, x, 0, g.cin(), dy, 0, cout, 1f, dw, 0, cout);
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

    private float[] workspace(long size) {
        if (size > Integer.MAX_VALUE) throw new IllegalArgumentException("im2col buffer too large: " + size);
        if (col.length < size) col = new float[(int) size];
        return col;
    }
}
