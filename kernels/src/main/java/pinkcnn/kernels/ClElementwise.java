package pinkcnn.kernels;

import pinkcnn.engine.backend.DropoutMask;

/** The elementwise kernels (elementwise.cl) and the optimizer updates (optimizer.cl). */
final class ClElementwise {
    private static final String FILE = "elementwise.cl", OPTIMIZER = "optimizer.cl";

    private final ClContext cl;
    /** Floats per work-item: a 64-byte vector on CPUs, float4 on GPUs ({@link ClContext#maxVectorWidth}). */
    private final int width;
    private final String options;

    ClElementwise(ClContext cl) {
        this.cl = cl;
        this.width = cl.maxVectorWidth;
        this.options = "-DVW=" + width;
    }

    private ClKernel k(String name) {
        return cl.kernel(FILE, name, options);
    }

    /** Launches a kernel written with EACH (elementwise.cl): one work-item per {@link #width} floats. */
    private void each(ClKernel kernel, long n, Object... args) {
        cl.launch1(kernel, (n + width - 1) / width, args);
    }

    static int count(long n) {
        if (n < 0 || n > Integer.MAX_VALUE) throw new IllegalArgumentException("element count out of range: " + n);
        return (int) n;
    }

    void fill(long n, float value, ClStorage y) {
        each(k("fill"), n, count(n), value, y);
    }

    /** The memory-copy kernel, the benchmarks' bandwidth reference (the backend's copy uses clEnqueueCopyBuffer). */
    void copyKernel(long n, ClStorage x, ClStorage y) {
        each(k("copy_vec"), n, count(n), x, y);
    }

    void relu(long n, float cap, ClStorage x, ClStorage y) {
        each(k("relu"), n, count(n), cap, x, y);
    }

    void reluGrad(long n, float cap, ClStorage x, ClStorage dy, ClStorage dx) {
        each(k("relu_grad"), n, count(n), cap, x, dy, dx);
    }

    void add(long n, ClStorage a, ClStorage b, ClStorage y) {
        each(k("add"), n, count(n), a, b, y);
    }

    void mul(long n, ClStorage a, ClStorage b, ClStorage y) {
        each(k("mul"), n, count(n), a, b, y);
    }

    void mulGrad(long n, ClStorage dy, ClStorage b, ClStorage da) {
        each(k("mul_grad"), n, count(n), dy, b, da);
    }

    void scale(long n, float alpha, ClStorage x, ClStorage y) {
        each(k("scale"), n, count(n), alpha, x, y);
    }

    void axpy(long n, float alpha, ClStorage x, ClStorage y) {
        each(k("axpy"), n, count(n), alpha, x, y);
    }

    void dropout(long n, float rate, long seed, ClStorage x, ClStorage mask, ClStorage y) {
        // The same threshold and scale as every backend: DropoutMask decides, the kernel repeats its hash.
        cl.launch1(k("dropout"), n, count(n), DropoutMask.threshold(rate), 1f / (1f - rate), seed, x, mask, y);
    }

    void pad(int n, int h, int w, int c, int top, int bottom, int left, int right, ClStorage x, ClStorage y) {
        int ph = h + top + bottom, pw = w + left + right;
        count((long) n * ph * pw * c);
        cl.launchGrid(k("pad"), (long) pw * c, ph, n, n, h, w, c, top, left, ph, pw, x, y);
    }

    void padGrad(int n, int h, int w, int c, int top, int bottom, int left, int right, ClStorage dy, ClStorage dx) {
        int ph = h + top + bottom, pw = w + left + right;
        count((long) n * ph * pw * c);
        cl.launchGrid(k("pad_grad"), (long) w * c, h, n, n, h, w, c, top, left, ph, pw, dy, dx);
    }

    void sgdMomentum(long n, float lr, float momentum, ClStorage p, ClStorage g, ClStorage v) {
        each(cl.kernel(OPTIMIZER, "sgd_momentum", options), n, count(n), lr, momentum, p, g, v);
    }

    void adam(long n, float lr, float beta1, float beta2, float eps, int t, ClStorage p, ClStorage g, ClStorage m,
              ClStorage v) {
        float lrT = (float) (lr * Math.sqrt(1 - Math.pow(beta2, t)) / (1 - Math.pow(beta1, t)));
        each(cl.kernel(OPTIMIZER, "adam", options), n, count(n), lrT, beta1, beta2, eps, p, g, m, v);
    }
}
