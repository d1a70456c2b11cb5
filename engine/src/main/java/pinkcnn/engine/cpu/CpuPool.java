package pinkcnn.engine.cpu;

import pinkcnn.engine.backend.ConvGeometry;

/** Max pooling and global average pooling over NHWC tensors. */
final class CpuPool {
    private final Parallel parallel;

    CpuPool(Parallel parallel) {
        this.parallel = parallel;
    }

    /** Each output pixel starts as its first in-bounds tap and takes the vectorised maximum with the others. */
    void maxPool(ConvGeometry g, float[] x, float[] y) {
        int c = g.cin(), oh_ = g.outH(), ow_ = g.outW();
        parallel.forRange(g.n() * oh_, 2, (from, to) -> {
            for (int r = from; r < to; r++) {
                int n = r / oh_, oh = r % oh_;
                for (int ow = 0; ow < ow_; ow++) {
                    int yb = ((n * oh_ + oh) * ow_ + ow) * c;
                    boolean first = true;
                    for (int i = 0; i < g.kh(); i++) {
                        int ih = oh * g.stride() + i - g.padTop();
                        if (ih < 0 || ih >= g.h()) continue;
                        for (int j = 0; j < g.kw(); j++) {
                            int iw = ow * g.stride() + j - g.padLeft();
                            if (iw < 0 || iw >= g.w()) continue;
                            int xb = ((n * g.h() + ih) * g.w() + iw) * c;
                            if (first) System.arraycopy(x, xb, y, yb, c);
                            else VectorMath.max(y, yb, x, xb, c);
                            first = false;
                        }
                    }
                }
            }
        });
    }

    /** Each window's gradient goes to its first maximum (scan order: rows, then columns), as TensorFlow does. */
    void maxPoolGrad(ConvGeometry g, float[] x, float[] dy, float[] dx) {
        int c = g.cin(), oh_ = g.outH(), ow_ = g.outW();
        // Windows of one image may overlap, so threads own whole images (and channel ranges within them).
        int channelBlocks = Math.max(1, Math.min(c, 8));
        parallel.forRange(g.n() * channelBlocks, 1, (from, to) -> {
            for (int t = from; t < to; t++) {
                int n = t / channelBlocks, cb = t % channelBlocks;
                int c0 = c * cb / channelBlocks, c1 = c * (cb + 1) / channelBlocks;
                for (int oh = 0; oh < oh_; oh++)
                    for (int ow = 0; ow < ow_; ow++) {
                        int yb = ((n * oh_ + oh) * ow_ + ow) * c;
                        for (int ch = c0; ch < c1; ch++) dx[argmax(g, x, n, oh, ow, ch)] += dy[yb + ch];
                    }
            }
        });
    }

    /** Index into x of the first maximum of one window; padded cells never win. */
    private static int argmax(ConvGeometry g, float[] x, int n, int oh, int ow, int ch) {
        int best = -1;
        float bestValue = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < g.kh(); i++) {
            int ih = oh * g.stride() + i - g.padTop();
            if (ih < 0 || ih >= g.h()) continue;
            for (int j = 0; j < g.kw(); j++) {
                int iw = ow * g.stride() + j - g.padLeft();
                if (iw < 0 || iw >= g.w()) continue;
                int idx = ((n * g.h() + ih) * g.w() + iw) * g.cin() + ch;
                if (best < 0 || x[idx] > bestValue) {
                    best = idx;
                    bestValue = x[idx];
                }
            }
        }
        return best;
    }

    void globalAvgPool(int n, int hw, int c, float[] x, float[] y) {
        parallel.forRange(n, 1, (from, to) -> {
            for (int img = from; img < to; img++) {
                double[] acc = new double[c];
                for (int p = 0; p < hw; p++) {
                    int base = (img * hw + p) * c;
                    for (int ch = 0; ch < c; ch++) acc[ch] += x[base + ch];
                }
                for (int ch = 0; ch < c; ch++) y[img * c + ch] = (float) (acc[ch] / hw);
            }
        });
    }

    void globalAvgPoolGrad(int n, int hw, int c, float[] dy, float[] dx) {
        float inv = 1f / hw;
        parallel.forRange(n * hw, 256, (from, to) -> {
            for (int r = from; r < to; r++) {
                int img = r / hw, base = r * c;
                for (int ch = 0; ch < c; ch++) dx[base + ch] += dy[img * c + ch] * inv;
            }
        });
    }
}
