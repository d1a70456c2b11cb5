package pinkcnn.engine.cpu;

import pinkcnn.engine.backend.ConvGeometry;

/**
 * Depthwise convolution (one kh×kw filter per channel, multiplier 1) computed directly: in NHWC the channels of a
 * pixel are contiguous, so every (output pixel, tap) pair is one vectorised multiply-add over the channels.
 * Memory-bound: each input element is read kh·kw/stride² times from cache and once from memory.
 */
final class CpuDepthwise {
    private final Parallel parallel;
    private final CpuDepthwise3x3 rows;
    /** Whether 3×3 forward passes run version 2 ({@link CpuDepthwise3x3}) instead of this class's. */
    private volatile boolean rowsForward = true;

    CpuDepthwise(Parallel parallel) {
        this.parallel = parallel;
        this.rows = new CpuDepthwise3x3(parallel);
    }

    /** Version 2, which the fused inverted-residual block shares. */
    CpuDepthwise3x3 rows() {
        return rows;
    }

    void useRowsForward(boolean use) {
        rowsForward = use;
    }

    boolean rowsForward() {
        return rowsForward;
    }

    /**
     * Each output pixel's channels are computed one vector (16 channels with AVX-512) at a time, the kh·kw taps
     * accumulated in a register and stored once, so the output is written once instead of read-modified-written per tap.
     */
    void forward(ConvGeometry g, float[] x, float[] w, float[] y) {
        forward(g, x, w, y, null);
    }

    /** The forward pass with {@code stage} applied to each output pixel right after it is computed (null: none). */
    void forward(ConvGeometry g, float[] x, float[] w, float[] y, OutputStage stage) {
        if (rowsForward && CpuDepthwise3x3.handles(g)) {
            rows.forward(g, x, w, y, stage);
            return;
        }
        int c = g.cin(), oh_ = g.outH(), ow_ = g.outW();
        parallel.forRange(g.n() * oh_, 2, (from, to) -> {
            int[] taps = PaddedWindow.buffer(g), wts = PaddedWindow.buffer(g);
            for (int r = from; r < to; r++) {
                int n = r / oh_, oh = r % oh_;
                for (int ow = 0; ow < ow_; ow++) {
                    int t = PaddedWindow.inputTaps(g, n, oh, ow, taps, wts);
                    for (int k = 0; k < t; k++) {
                        taps[k] *= c;
                        wts[k] *= c;
                    }
                    int yb = ((n * oh_ + oh) * ow_ + ow) * c;
                    VectorMath.sumOfProducts(y, yb, x, taps, w, wts, t, c, false);
                    if (stage != null) stage.apply(y, yb, 0, c);
                }
            }
        });
    }

    /** dx[n,ih,iw,c] += Σ over taps (i,j) whose output pixel exists: dy[n,oh,ow,c]·w[i,j,c] (a gather: no races). */
    void inputGrad(ConvGeometry g, float[] dy, float[] w, float[] dx) {
        int c = g.cin();
        parallel.forRange(g.n() * g.h(), 2, (from, to) -> {
            int[] outs = PaddedWindow.buffer(g), taps = PaddedWindow.buffer(g);
            for (int r = from; r < to; r++) {
                int n = r / g.h(), ih = r % g.h();
                for (int iw = 0; iw < g.w(); iw++) {
                    int xb = ((n * g.h() + ih) * g.w() + iw) * c;
                    int t = PaddedWindow.coveringOutputs(g, n, ih, iw, outs, taps);
                    for (int k = 0; k < t; k++) {
                        outs[k] *= c;
                        taps[k] *= c;
                    }
                    // all covering outputs' terms summed in registers: dx read and written once per pixel, not once
                    // per term (the training step's depthwise gradients, docs/kernels.md)
                    VectorMath.sumOfProducts(dx, xb, dy, outs, w, taps, t, c, true);
                }
            }
        });
    }

    /** dw[i,j,c] += Σ_{n,oh,ow} x[n, oh·s+i−pt, ow·s+j−pl, c]·dy[n,oh,ow,c]; one partial dw per thread chunk. */
    void weightGrad(ConvGeometry g, float[] x, float[] dy, float[] dw) {
        int c = g.cin(), oh_ = g.outH(), ow_ = g.outW(), weights = g.kh() * g.kw() * c;
        int rows = g.n() * oh_;
        float[][] partial = new float[parallel.chunks(rows, 2)][weights];
        parallel.forChunks(rows, 2, (chunk, from, to) -> {
            float[] acc = partial[chunk];
            int[] pixels = PaddedWindow.buffer(g), taps = PaddedWindow.buffer(g);
            for (int r = from; r < to; r++) {
                int n = r / oh_, oh = r % oh_;
                for (int ow = 0; ow < ow_; ow++) {
                    int yb = ((n * oh_ + oh) * ow_ + ow) * c;
                    int t = PaddedWindow.inputTaps(g, n, oh, ow, pixels, taps);
                    for (int k = 0; k < t; k++) VectorMath.fma(acc, taps[k] * c, x, pixels[k] * c, dy, yb, c);
                }
            }
        });
        for (float[] p : partial) VectorMath.add(dw, 0, p, 0, weights);
    }
}
