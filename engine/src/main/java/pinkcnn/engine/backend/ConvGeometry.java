package pinkcnn.engine.backend;

/**
 * Sizes of one 2-D convolution or pooling window over an NHWC input: batch {@code n}, input {@code h×w×cin},
 * kernel {@code kh×kw}, {@code stride}, and explicit zero padding on each side (Keras' {@code same} padding and the
 * asymmetric (0,1) padding before stride-2 layers are both expressed this way). For depthwise convolution and pooling
 * {@code cout == cin}.
 */
public record ConvGeometry(int n, int h, int w, int cin, int kh, int kw, int stride,
                           int padTop, int padBottom, int padLeft, int padRight, int cout) {

    public ConvGeometry {
        if (n <= 0 || h <= 0 || w <= 0 || cin <= 0 || cout <= 0 || kh <= 0 || kw <= 0 || stride <= 0)
            throw new IllegalArgumentException("non-positive convolution size: " + this);
        if (padTop < 0 || padBottom < 0 || padLeft < 0 || padRight < 0)
            throw new IllegalArgumentException("negative padding: " + this);
        if (h + padTop + padBottom < kh || w + padLeft + padRight < kw)
            throw new IllegalArgumentException("kernel larger than padded input: " + this);
    }

    /** A convolution with Keras padding semantics: {@code "valid"} (none) or {@code "same"} (out = ceil(in / stride)). */
    public static ConvGeometry of(int n, int h, int w, int cin, int k, int stride, String padding, int cout) {
        switch (padding) {
            case "valid":
                return new ConvGeometry(n, h, w, cin, k, k, stride, 0, 0, 0, 0, cout);
            case "same": {
                int padH = samePadTotal(h, k, stride), padW = samePadTotal(w, k, stride);
                // TensorFlow puts the odd pixel at the bottom / right.
                return new ConvGeometry(n, h, w, cin, k, k, stride, padH / 2, padH - padH / 2, padW / 2, padW - padW / 2, cout);
            }
            default:
                throw new IllegalArgumentException("padding must be 'valid' or 'same', not '" + padding + "'");
        }
    }

    private static int samePadTotal(int in, int k, int stride) {
        int out = (in + stride - 1) / stride;
        return Math.max((out - 1) * stride + k - in, 0);
    }

    public int outH() { return (h + padTop + padBottom - kh) / stride + 1; }

    public int outW() { return (w + padLeft + padRight - kw) / stride + 1; }

    public long inputSize() { return (long) n * h * w * cin; }

    public long outputSize() { return (long) n * outH() * outW() * cout; }

    /** True for a 1×1, stride-1, unpadded convolution: a plain GEMM over the N·H·W pixel rows. */
    public boolean isPointwise() {
        return kh == 1 && kw == 1 && stride == 1 && padTop == 0 && padBottom == 0 && padLeft == 0 && padRight == 0;
    }
}
