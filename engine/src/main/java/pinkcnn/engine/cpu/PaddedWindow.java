package pinkcnn.engine.cpu;

import pinkcnn.engine.backend.ConvGeometry;

/**
 * The taps of a kh×kw window over a zero-padded NHWC input that land inside the input: the loop that depthwise
 * convolution, pooling and their gradients share. Padded taps contribute nothing, so they are skipped instead of
 * being materialised. Indices are of pixels and taps; callers scale them by their channel stride.
 */
final class PaddedWindow {
    private PaddedWindow() {}

    /** Room for one window's taps. */
    static int[] buffer(ConvGeometry g) {
        return new int[g.kh() * g.kw()];
    }

    /**
     * The in-bounds taps of output pixel (n, oh, ow): {@code pixel[t]} is the input pixel's flat index (n, ih, iw) and
     * {@code tap[t]} the tap's index i·kw + j, in scan order (rows, then columns). Returns how many there are.
     */
    static int inputTaps(ConvGeometry g, int n, int oh, int ow, int[] pixel, int[] tap) {
        int t = 0;
        for (int i = 0; i < g.kh(); i++) {
            int ih = oh * g.stride() + i - g.padTop();
            if (ih < 0 || ih >= g.h()) continue;
            for (int j = 0; j < g.kw(); j++) {
                int iw = ow * g.stride() + j - g.padLeft();
                if (iw < 0 || iw >= g.w()) continue;
                pixel[t] = (n * g.h() + ih) * g.w() + iw;
                tap[t++] = i * g.kw() + j;
            }
        }
        return t;
    }

    /**
     * The adjoint of {@link #inputTaps}: the output pixels whose windows cover input pixel (n, ih, iw), as flat indices
     * (n, oh, ow) in {@code pixel[t]}, with the tap that covers it in {@code tap[t]}. Gradients written as this gather
     * let threads own disjoint input rows. Returns how many there are.
     */
    static int coveringOutputs(ConvGeometry g, int n, int ih, int iw, int[] pixel, int[] tap) {
        int t = 0, s = g.stride();
        for (int i = 0; i < g.kh(); i++) {
            int th = ih + g.padTop() - i;
            if (th < 0 || th % s != 0 || th / s >= g.outH()) continue;
            for (int j = 0; j < g.kw(); j++) {
                int tw = iw + g.padLeft() - j;
                if (tw < 0 || tw % s != 0 || tw / s >= g.outW()) continue;
                pixel[t] = (n * g.outH() + th / s) * g.outW() + tw / s;
                tap[t++] = i * g.kw() + j;
            }
        }
        return t;
    }
}
