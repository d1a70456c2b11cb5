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
            int[] pixels = PaddedWindow.buffer(g), taps = PaddedWindow.buffer(g);
            for (int r = from; r < to; r++) {
                int n = r / oh_, oh = r % oh_;
                for (int ow = 0; ow < ow_; ow++) {
                    int yb = ((n * oh_ + oh) * ow_ + ow) * c;
                    int t = PaddedWindow.inputTaps(g, n, oh, ow, pixels, taps);
                    System.arraycopy(x, pixels[0] * c, y, yb, c);
                    for (int k = 1; k < t; k++) VectorMath.max(y, yb, x, pixels[k] * c, c);
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
            int[] pixels = PaddedWindow.buffer(g), taps = PaddedWindow.buffer(g);
            for (int t = from; t < to; t++) {
                int n = t / channelBlocks, cb = t % channelBlocks;
                int c0 = c * cb / channelBlocks, c1 = c * (cb + 1) / channelBlocks;
                for (int oh = 0; oh < oh_; oh++)
                    for (int ow = 0; ow < ow_; ow++) {
                        int yb = ((n * oh_ + oh) * ow_ + ow) * c;
                        int window = PaddedWindow.inputTaps(g, n, oh, ow, pixels, taps);
                        for (int ch = c0; ch < c1; ch++) dx[argmax(x, pixels, window, c, ch)] += dy[yb + ch];
                    }
            }
        });
    }

    /** Index into x of channel ch's first maximum over a window's in-bounds pixels (padded cells never win). */
    private static int argmax(float[] x, int[] pixels, int count, int c, int ch) {
        int best = pixels[0] * c + ch;
        for (int k = 1; k < count; k++) {
            int idx = pixels[k] * c + ch;
            if (x[idx] > x[best]) best = idx;
        }
        return best;
    }

    void globalAveragePool(int n, int hw, int c, float[] x, float[] y) {
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

    void globalAveragePoolGrad(int n, int hw, int c, float[] dy, float[] dx) {
        float inv = 1f / hw;
        parallel.forRange(n * hw, 256, (from, to) -> {
            for (int r = from; r < to; r++) {
                int img = r / hw, base = r * c;
                for (int ch = 0; ch < c; ch++) dx[base + ch] += dy[img * c + ch] * inv;
            }
        });
    }
}
