package pinkcnn.engine.cpu;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import pinkcnn.engine.backend.Backend;
import pinkcnn.engine.backend.ConvGeometry;
import pinkcnn.engine.backend.DropoutMask;
import pinkcnn.engine.backend.InvertedResidual;
import pinkcnn.engine.backend.NumberedVersions;
import pinkcnn.engine.backend.Storage;

/**
 * The reference backend: plain Java on the heap, multi-threaded, vectorised where it pays (GEMM, per-pixel channel
 * loops). Every other backend is tested against this one. The kernel families live in their own classes:
 * {@link CpuGemm}, {@link CpuConv}, {@link CpuDepthwise}, {@link CpuPool}, {@link CpuChannelOps}; the small
 * elementwise, loss and optimizer kernels are here.
 */
public final class CpuBackend implements Backend, NumberedVersions {
    private static final int GRAIN = 1 << 14;

    private final Parallel parallel;
    private final CpuGemm gemm;
    private final CpuConv conv;
    private final CpuDepthwise depthwise;
    private final CpuPool pool;
    private final CpuChannelOps channels;
    private final CpuInvertedResidual blocks;
    /** The block family's version in use: 1 layers, 2 fused, 3 fused with the expanded rows by channel vectors. */
    private volatile int blockVersion = 3;
    /** Released arrays by length, handed out again by {@link #allocate} (avoids page faults and GC churn). */
    private final Map<Integer, ArrayDeque<float[]>> free = new HashMap<>();

    /** @param threads worker threads; 0 or less means one per available core */
    public CpuBackend(int threads) {
        int t = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        this.parallel = new Parallel(t);
        this.gemm = new CpuGemm(parallel);
        this.conv = new CpuConv(gemm, parallel);
        this.depthwise = new CpuDepthwise(parallel);
        this.pool = new CpuPool(parallel);
        this.channels = new CpuChannelOps(parallel);
        this.blocks = new CpuInvertedResidual(parallel, depthwise.rows());
    }

    public CpuBackend() {
        this(0);
    }

    /**
     * Kernel families with numbered versions here: the forward convolution's product, the 1×1 convolutions'
     * gradients, depthwise 3×3, and the inverted-residual block.
     */
    public static final String CONV = "conv", CONV_GRAD = "convgrad", DEPTHWISE = "depthwise", BLOCK = "block";

    /**
     * The numbered versions of a family, oldest first; the newest runs unless {@link #useVersion} says otherwise. Each
     * version's class comment says what it changes: {@code conv} v1_gemm {@link CpuGemm}, v2_tiles
     * {@link CpuConvTiles}, v3_packed (the same, 1×1 kernels packed once, {@link CpuStorage#packed}), v4_wide (the
     * same, the last 64 output channels of 64, 160, … in one 6×4 tile's panel instead of 3 + 1 vectors);
     * {@code convgrad} v1_gemm {@link CpuGemm}, v2_tiles (the forward product's tiles, {@link CpuConv#inputGrad});
     * {@code depthwise} v1_taps {@link CpuDepthwise}, v2_rows {@link CpuDepthwise3x3};
     * {@code block} v1_layers (the layers one after the other, {@link Backend#invertedResidual}), v2_fused
     * {@link CpuInvertedResidual}, v3_blocked (the same, its expanded rows laid out by channel vectors for the
     * depthwise kernel, {@link CpuDepthwiseBlocked}).
     */
    @Override
    public List<String> versions(String family) {
        return switch (family) {
            case CONV -> List.of("v1_gemm", "v2_tiles", "v3_packed", "v4_wide");
            case CONV_GRAD -> List.of("v1_gemm", "v2_tiles");
            case DEPTHWISE -> List.of("v1_taps", "v2_rows");
            case BLOCK -> List.of("v1_layers", "v2_fused", "v3_blocked");
            default -> throw new IllegalArgumentException("no numbered versions of '" + family + "' on the CPU backend");
        };
    }

    @Override
    public String version(String family) {
        int index = switch (family) {
            case CONV -> conv.forwardVersion() - 1;
            case CONV_GRAD -> conv.gradVersion() - 1;
            case DEPTHWISE -> depthwise.rowsForward() ? 1 : 0;
            case BLOCK -> blockVersion - 1;
            default -> throw new IllegalArgumentException("no numbered versions of '" + family + "' on the CPU backend");
        };
        return versions(family).get(index);
    }

    @Override
    public void useVersion(String family, String version) {
        int v = versions(family).indexOf(version);
        if (v < 0) throw new IllegalArgumentException(family + " has no version '" + version + "': " + versions(family));
        switch (family) {
            case CONV -> conv.useForwardVersion(v + 1);
            case CONV_GRAD -> conv.useGradVersion(v + 1);
            case DEPTHWISE -> depthwise.useRowsForward(v == 1);
            default -> blockVersion = v + 1;
        }
    }

    public int threads() {
        return parallel.threads();
    }

    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public void close() {
        parallel.close();
    }

    // ---- memory ---------------------------------------------------------------------------------------------------

    @Override
    public Storage allocate(long size) {
        float[] data = take(size);
        if (data == null) data = new float[(int) size];
        else Arrays.fill(data, 0f);
        return new CpuStorage(this, data);
    }

    @Override
    public Storage allocateUninitialized(long size) {
        float[] data = take(size);
        return new CpuStorage(this, data != null ? data : new float[(int) size]);
    }

    /** A released array of exactly this length, or null. */
    private float[] take(long size) {
        if (size < 0 || size > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("cannot allocate " + size + " floats");
        synchronized (free) {
            ArrayDeque<float[]> q = free.get((int) size);
            return q == null ? null : q.poll();
        }
    }

    void recycle(float[] data) {
        synchronized (free) {
            free.computeIfAbsent(data.length, k -> new ArrayDeque<>()).push(data);
        }
    }

    /** The float array behind a CPU storage (for code that wants direct access, e.g. tests and benchmarks). */
    public static float[] array(Storage s) {
        if (!(s instanceof CpuStorage)) {
            throw new IllegalArgumentException("storage of backend '" + s.backend().name() + "' used on the CPU backend");
        }
        return ((CpuStorage) s).checkLive();
    }

    private static float[] a(Storage s) {
        return s == null ? null : array(s);
    }

    @Override
    public void write(Storage dst, long dstOffset, float[] src, int srcOffset, int length) {
        System.arraycopy(src, srcOffset, a(dst), Math.toIntExact(dstOffset), length);
    }

    @Override
    public void read(Storage src, long srcOffset, float[] dst, int dstOffset, int length) {
        System.arraycopy(a(src), Math.toIntExact(srcOffset), dst, dstOffset, length);
    }

    @Override
    public void copy(Storage src, long srcOffset, Storage dst, long dstOffset, long length) {
        System.arraycopy(a(src), Math.toIntExact(srcOffset), a(dst), Math.toIntExact(dstOffset), Math.toIntExact(length));
    }

    @Override
    public void fill(Storage x, float value) {
        Arrays.fill(a(x), value);
    }

    // ---- GEMM and convolutions --------------------------------------------------------------------------------------

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha, Storage a, long offA, int lda,
                     Storage b, long offB, int ldb, float beta, Storage c, long offC, int ldc) {
        gemm.gemm(transA, transB, m, n, k, alpha, a(a), Math.toIntExact(offA), lda, a(b), Math.toIntExact(offB), ldb,
                beta, a(c), Math.toIntExact(offC), ldc);
    }

    @Override
    public void conv2d(ConvGeometry g, Storage x, Storage w, Storage y) {
        conv.forward(g, a(x), w, a(y), null);
    }

    @Override
    public void conv2dInputGrad(ConvGeometry g, Storage dy, Storage w, Storage dx) {
        conv.inputGrad(g, a(dy), a(w), a(dx));
    }

    @Override
    public void conv2dWeightGrad(ConvGeometry g, Storage x, Storage dy, Storage dw) {
        conv.weightGrad(g, a(x), a(dy), a(dw));
    }

    @Override
    public void depthwiseConv2d(ConvGeometry g, Storage x, Storage w, Storage y) {
        depthwise.forward(g, a(x), a(w), a(y));
    }

    @Override
    public void conv2dAffine(ConvGeometry g, Storage x, Storage w, Storage scale, Storage shift, float lo, float hi,
                             Storage y) {
        conv.forward(g, a(x), w, a(y), new OutputStage(a(scale), a(shift), lo, hi));
    }

    @Override
    public void depthwiseConv2dAffine(ConvGeometry g, Storage x, Storage w, Storage scale, Storage shift, float lo,
                                      float hi, Storage y) {
        depthwise.forward(g, a(x), a(w), a(y), new OutputStage(a(scale), a(shift), lo, hi));
    }

    @Override
    public void invertedResidual(InvertedResidual b, Storage x, Storage expand, Storage expandScale, Storage expandShift,
                                 Storage depthwise, Storage depthwiseScale, Storage depthwiseShift, Storage project,
                                 Storage projectScale, Storage projectShift, Storage y) {
        if (blockVersion < 2 || !CpuInvertedResidual.handles(b, blockVersion >= 3)) {
            Backend.super.invertedResidual(b, x, expand, expandScale, expandShift, depthwise, depthwiseScale,
                    depthwiseShift, project, projectScale, projectShift, y);
            return;
        }
        boolean e = b.expand();
        ConvGeometry d = b.depthwise();
        // the kernels' operands under the block's lock: version 2's padded columns live in rooms a second block call
        // would overwrite
        synchronized (blocks) {
            blocks.forward(b, blockVersion >= 3, a(x), e ? conv.weights(expand, b.cin(), d.cin(), 1) : null,
                    e ? a(expandScale) : null, e ? a(expandShift) : null, a(depthwise), a(depthwiseScale),
                    a(depthwiseShift), conv.weights(project, d.cin(), b.cout(), 2), a(projectScale), a(projectShift),
                    a(y));
        }
    }

    @Override
    public void depthwiseConv2dInputGrad(ConvGeometry g, Storage dy, Storage w, Storage dx) {
        depthwise.inputGrad(g, a(dy), a(w), a(dx));
    }

    @Override
    public void depthwiseConv2dWeightGrad(ConvGeometry g, Storage x, Storage dy, Storage dw) {
        depthwise.weightGrad(g, a(x), a(dy), a(dw));
    }

    @Override
    public void pad(int n, int h, int w, int c, int top, int bottom, int left, int right, Storage x, Storage y) {
        float[] xs = a(x), ys = a(y);
        int ph = h + top + bottom, pw = w + left + right;
        parallel.forRange(n * ph, 4, (from, to) -> {
            for (int r = from; r < to; r++) {
                int img = r / ph, oh = r % ph, ih = oh - top;
                int rowBase = (img * ph + oh) * pw * c;
                if (ih < 0 || ih >= h) {
                    Arrays.fill(ys, rowBase, rowBase + pw * c, 0f);
                    continue;
                }
                Arrays.fill(ys, rowBase, rowBase + left * c, 0f);
                System.arraycopy(xs, (img * h + ih) * w * c, ys, rowBase + left * c, w * c);
                Arrays.fill(ys, rowBase + (left + w) * c, rowBase + pw * c, 0f);
            }
        });
    }

    @Override
    public void padGrad(int n, int h, int w, int c, int top, int bottom, int left, int right, Storage dy, Storage dx) {
        float[] dys = a(dy), dxs = a(dx);
        int ph = h + top + bottom, pw = w + left + right;
        parallel.forRange(n * h, 4, (from, to) -> {
            for (int r = from; r < to; r++) {
                int img = r / h, ih = r % h;
                VectorMath.add(dxs, r * w * c, dys, ((img * ph + ih + top) * pw + left) * c, w * c);
            }
        });
    }

    // ---- pooling and per-channel ops ----------------------------------------------------------------------------------

    @Override
    public void maxPool(ConvGeometry g, Storage x, Storage y) {
        pool.maxPool(g, a(x), a(y));
    }

    @Override
    public void maxPoolGrad(ConvGeometry g, Storage x, Storage dy, Storage dx) {
        pool.maxPoolGrad(g, a(x), a(dy), a(dx));
    }

    @Override
    public void globalAveragePool(int n, int hw, int c, Storage x, Storage y) {
        pool.globalAveragePool(n, hw, c, a(x), a(y));
    }

    @Override
    public void globalAveragePoolGrad(int n, int hw, int c, Storage dy, Storage dx) {
        pool.globalAveragePoolGrad(n, hw, c, a(dy), a(dx));
    }

    @Override
    public void channelAffine(int rows, int c, Storage x, Storage scale, Storage shift, Storage y) {
        channels.affine(rows, c, a(x), a(scale), a(shift), a(y));
    }

    @Override
    public void channelAffineClamp(int rows, int c, Storage x, Storage scale, Storage shift, float cap, Storage y) {
        channels.affineClamp(rows, c, a(x), a(scale), a(shift), 0f, cap, a(y));
    }

    @Override
    public void channelAffineGrad(int rows, int c, Storage x, Storage dy, Storage scale, Storage dx, Storage dScale,
                                  Storage dShift) {
        channels.affineGrad(rows, c, a(x), a(dy), a(scale), a(dx), a(dScale), a(dShift));
    }

    @Override
    public void channelMoments(int rows, int c, Storage x, Storage mean, Storage var) {
        channels.moments(rows, c, a(x), a(mean), a(var));
    }

    @Override
    public void batchNormGrad(int rows, int c, Storage x, Storage dy, Storage mean, Storage var, Storage gamma, float eps,
                              Storage dx, Storage dGamma, Storage dBeta) {
        channels.batchNormGrad(rows, c, a(x), a(dy), a(mean), a(var), a(gamma), eps, a(dx), a(dGamma), a(dBeta));
    }

    @Override
    public void batchNormScaleShift(int c, Storage gamma, Storage beta, Storage mean, Storage var, float eps,
                                    Storage scale, Storage shift) {
        channels.scaleShift(c, a(gamma), a(beta), a(mean), a(var), eps, a(scale), a(shift));
    }

    @Override
    public void biasAdd(int rows, int c, Storage x, Storage bias, Storage y) {
        channels.biasAdd(rows, c, a(x), a(bias), a(y));
    }

    @Override
    public void biasGrad(int rows, int c, Storage dy, Storage dBias) {
        channels.biasGrad(rows, c, a(dy), a(dBias));
    }

    // ---- elementwise ------------------------------------------------------------------------------------------------

    /** Runs body over [0, n) in parallel chunks. */
    private void elementwise(long n, Parallel.Range body) {
        parallel.forRange(Math.toIntExact(n), GRAIN, body);
    }

    @Override
    public void relu(long n, float cap, Storage x, Storage y) {
        float[] xs = a(x), ys = a(y);
        elementwise(n, (from, to) -> {
            for (int i = from; i < to; i++) ys[i] = Math.min(Math.max(xs[i], 0f), cap);
        });
    }

    @Override
    public void reluGrad(long n, float cap, Storage x, Storage dy, Storage dx) {
        float[] xs = a(x), dys = a(dy), dxs = a(dx);
        elementwise(n, (from, to) -> VectorMath.reluGrad(xs, dys, dxs, from, to, cap));
    }

    @Override
    public void add(long n, Storage a, Storage b, Storage y) {
        float[] as = a(a), bs = a(b), ys = a(y);
        elementwise(n, (from, to) -> {
            for (int i = from; i < to; i++) ys[i] = as[i] + bs[i];
        });
    }

    @Override
    public void mul(long n, Storage a, Storage b, Storage y) {
        float[] as = a(a), bs = a(b), ys = a(y);
        elementwise(n, (from, to) -> {
            for (int i = from; i < to; i++) ys[i] = as[i] * bs[i];
        });
    }

    @Override
    public void mulGrad(long n, Storage dy, Storage b, Storage da) {
        float[] dys = a(dy), bs = a(b), das = a(da);
        elementwise(n, (from, to) -> {
            for (int i = from; i < to; i++) das[i] += dys[i] * bs[i];
        });
    }

    @Override
    public void scale(long n, float alpha, Storage x, Storage y) {
        float[] xs = a(x), ys = a(y);
        elementwise(n, (from, to) -> {
            for (int i = from; i < to; i++) ys[i] = alpha * xs[i];
        });
    }

    @Override
    public void axpy(long n, float alpha, Storage x, Storage y) {
        float[] xs = a(x), ys = a(y);
        elementwise(n, (from, to) -> {
            for (int i = from; i < to; i++) ys[i] += alpha * xs[i];
        });
    }

    @Override
    public float sumSquares(long n, Storage x) {
        float[] xs = a(x);
        double s = 0;
        for (int i = 0; i < n; i++) s += (double) xs[i] * xs[i];
        return (float) s;
    }

    @Override
    public float sum(long n, Storage x) {
        float[] xs = a(x);
        double s = 0;
        for (int i = 0; i < n; i++) s += xs[i];
        return (float) s;
    }

    @Override
    public void dropout(long n, float rate, long seed, Storage x, Storage mask, Storage y) {
        float[] xs = a(x), ms = a(mask), ys = a(y);
        int threshold = DropoutMask.threshold(rate);
        float keepScale = 1f / (1f - rate);
        elementwise(n, (from, to) -> {
            for (int i = from; i < to; i++) {
                ms[i] = DropoutMask.hash(seed, i) >= threshold ? keepScale : 0f;
                ys[i] = xs[i] * ms[i];
            }
        });
    }

    // ---- loss ---------------------------------------------------------------------------------------------------------

    @Override
    public void softmax(int rows, int classes, Storage logits, Storage probs) {
        float[] z = a(logits), p = a(probs);
        for (int r = 0; r < rows; r++) softmaxRow(z, p, r * classes, classes);
    }

    /** Writes the row's softmax into p and returns its log-sum-exp. */
    private static double softmaxRow(float[] z, float[] p, int base, int classes) {
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < classes; j++) max = Math.max(max, z[base + j]);
        double sum = 0;
        for (int j = 0; j < classes; j++) sum += Math.exp(z[base + j] - max);
        for (int j = 0; j < classes; j++) p[base + j] = (float) (Math.exp(z[base + j] - max) / sum);
        return max + Math.log(sum);
    }

    @Override
    public float softmaxCrossEntropy(int rows, int classes, Storage logits, Storage targets, Storage probs) {
        float[] z = a(logits), t = a(targets), p = a(probs);
        double loss = 0;
        for (int r = 0; r < rows; r++) {
            int base = r * classes;
            double lse = softmaxRow(z, p, base, classes);
            for (int j = 0; j < classes; j++) if (t[base + j] != 0f) loss += t[base + j] * (lse - z[base + j]);
        }
        return (float) loss;
    }

    @Override
    public void softmaxCrossEntropyGrad(int rows, int classes, Storage probs, Storage targets, float scale, Storage dLogits) {
        float[] p = a(probs), t = a(targets), d = a(dLogits);
        for (int i = 0; i < rows * classes; i++) d[i] += scale * (p[i] - t[i]);
    }

    // ---- optimizers -----------------------------------------------------------------------------------------------------

    @Override
    public void sgdMomentumUpdate(long n, float lr, float momentum, Storage param, Storage grad, Storage velocity) {
        float[] p = a(param), g = a(grad), v = a(velocity);
        elementwise(n, (from, to) -> {
            for (int i = from; i < to; i++) {
                v[i] = momentum * v[i] - lr * g[i];
                p[i] += v[i];
            }
        });
    }

    @Override
    public void adamUpdate(long n, float lr, float beta1, float beta2, float eps, int t,
                           Storage param, Storage grad, Storage m, Storage v) {
        float[] p = a(param), g = a(grad), ms = a(m), vs = a(v);
        float lrT = (float) (lr * Math.sqrt(1 - Math.pow(beta2, t)) / (1 - Math.pow(beta1, t)));
        elementwise(n, (from, to) -> {
            for (int i = from; i < to; i++) {
                ms[i] = beta1 * ms[i] + (1 - beta1) * g[i];
                vs[i] = beta2 * vs[i] + (1 - beta2) * g[i] * g[i];
                p[i] -= lrT * ms[i] / ((float) Math.sqrt(vs[i]) + eps);
            }
        });
    }
}
