package pinkcnn.engine.backend;

/**
 * The backend contract: every kernel the engine needs, on plain storages and sizes (never tensors or graphs).
 * {@code CpuBackend} is the readable reference; {@code OpenClBackend} (module kernels) implements the same contract and
 * a parity test compares the two kernel by kernel.
 *
 * <p>Conventions. Images are NHWC, row-major. Convolution kernels are HWIO ({@code kh×kw×cin×cout}), depthwise kernels
 * {@code kh×kw×c} (Keras' HW·C·1 with the trailing 1 dropped), dense kernels {@code in×out}. Forward kernels
 * <em>overwrite</em> their output. Kernels whose name ends in {@code Grad} <em>add</em> into their gradient outputs, so
 * that gradients from several consumers accumulate without extra buffers; callers zero them first.
 */
public interface Backend extends AutoCloseable {

    /** A short name for messages and benchmarks, e.g. {@code cpu} or {@code opencl:0:0 (pthread-cpu)}. */
    String name();

    // ---- memory -------------------------------------------------------------------------------------------------

    /** A zero-filled storage of {@code size} floats (from the pool when one of that size is free). */
    Storage allocate(long size);

    /**
     * A storage whose contents are undefined, for outputs a kernel overwrites entirely. Backends that recycle buffers
     * skip the zero fill; the default is {@link #allocate}.
     */
    default Storage allocateUninitialized(long size) {
        return allocate(size);
    }

    /** Copies {@code src[srcOffset, srcOffset+length)} into {@code dst} at {@code dstOffset}. */
    void write(Storage dst, long dstOffset, float[] src, int srcOffset, int length);

    /** Copies {@code length} floats of {@code src} from {@code srcOffset} into {@code dst[dstOffset...]}. */
    void read(Storage src, long srcOffset, float[] dst, int dstOffset, int length);

    /** Device-side copy of {@code length} floats. */
    void copy(Storage src, long srcOffset, Storage dst, long dstOffset, long length);

    /** Sets every element of {@code x} to {@code value}. */
    void fill(Storage x, float value);

    /** Waits until every queued kernel has finished (a no-op on synchronous backends). */
    default void finish() {}

    @Override
    default void close() {}

    // ---- GEMM -------------------------------------------------------------------------------------------------

    /**
     * {@code C = alpha·op(A)·op(B) + beta·C}, row-major, {@code op(A)} m×k, {@code op(B)} k×n, C m×n. With
     * {@code transA}, A is stored k×m; with {@code transB}, B is stored n×k. Leading dimensions are the stored row
     * lengths; offsets are in floats.
     */
    void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
              Storage a, long offA, int lda, Storage b, long offB, int ldb,
              float beta, Storage c, long offC, int ldc);

    // ---- convolution ---------------------------------------------------------------------------------------------

    /** y[n,oh,ow,co] = Σ x[n, oh·s+i−pt, ow·s+j−pl, ci]·w[i,j,ci,co] (zero outside the input). */
    void conv2d(ConvGeometry g, Storage x, Storage w, Storage y);

    /** dx += ∂/∂x of conv2d given dy. */
    void conv2dInputGrad(ConvGeometry g, Storage dy, Storage w, Storage dx);

    /** dw += ∂/∂w of conv2d given x and dy. */
    void conv2dWeightGrad(ConvGeometry g, Storage x, Storage dy, Storage dw);

    /** Depthwise: y[n,oh,ow,c] = Σ x[n, oh·s+i−pt, ow·s+j−pl, c]·w[i,j,c] (multiplier 1, {@code cin == cout}). */
    void depthwiseConv2d(ConvGeometry g, Storage x, Storage w, Storage y);

    void depthwiseConv2dInputGrad(ConvGeometry g, Storage dy, Storage w, Storage dx);

    void depthwiseConv2dWeightGrad(ConvGeometry g, Storage x, Storage dy, Storage dw);

    /**
     * {@link #conv2d} followed by y = min(max(y·scale[co] + shift[co], lo), hi): a convolution with the frozen batch
     * norm (and ReLU or ReLU6) after it, for passes without gradients. {@code lo} is 0 (a ReLU) or −∞ (none), {@code hi}
     * the cap (+∞ for none). By default the two steps one after the other; a backend may fuse them into the
     * convolution's output stage, so the output is written once.
     */
    default void conv2dAffine(ConvGeometry g, Storage x, Storage w, Storage scale, Storage shift, float lo, float hi,
                              Storage y) {
        conv2d(g, x, w, y);
        affineInPlace(g.n() * g.outH() * g.outW(), g.cout(), y, scale, shift, lo, hi);
    }

    /** {@link #depthwiseConv2d} with the output stage of {@link #conv2dAffine}. */
    default void depthwiseConv2dAffine(ConvGeometry g, Storage x, Storage w, Storage scale, Storage shift, float lo,
                                       float hi, Storage y) {
        depthwiseConv2d(g, x, w, y);
        affineInPlace(g.n() * g.outH() * g.outW(), g.cout(), y, scale, shift, lo, hi);
    }

    /**
     * One inverted-residual block without gradients: y = project(relu(depthwise(relu(expand(x))))) (+ x when
     * {@code b.residual()}), each convolution followed by its folded batch norm (scale, shift) as in
     * {@link #conv2dAffine}. Without expansion ({@code b.expand()} false; the expansion storages are then ignored) the
     * depthwise convolution reads x. By default the layers run one after the other through temporary tensors; a
     * backend may fuse them so that the expanded activations, six times the block's input, never leave the cache.
     */
    default void invertedResidual(InvertedResidual b, Storage x, Storage expand, Storage expandScale,
                                  Storage expandShift, Storage depthwise, Storage depthwiseScale, Storage depthwiseShift,
                                  Storage project, Storage projectScale, Storage projectShift, Storage y) {
        ConvGeometry d = b.depthwise();
        Storage expanded = x;
        if (b.expand()) {
            expanded = allocateUninitialized(d.inputSize());
            conv2dAffine(b.expansion(), x, expand, expandScale, expandShift, 0f, b.expandCap(), expanded);
        }
        Storage filtered = allocateUninitialized(d.outputSize());
        depthwiseConv2dAffine(d, expanded, depthwise, depthwiseScale, depthwiseShift, 0f, b.depthwiseCap(), filtered);
        if (expanded != x) expanded.release();
        conv2dAffine(b.projection(), filtered, project, projectScale, projectShift, Float.NEGATIVE_INFINITY,
                Float.POSITIVE_INFINITY, y);
        filtered.release();
        if (b.residual()) add(b.outputSize(), y, x, y);
    }

    /** y = clamp(y·scale + shift, lo, hi) in place with the per-channel kernels ({@code lo} 0 or −∞). */
    private void affineInPlace(int rows, int c, Storage y, Storage scale, Storage shift, float lo, float hi) {
        if (lo == 0f) channelAffineClamp(rows, c, y, scale, shift, hi, y);
        else if (lo == Float.NEGATIVE_INFINITY && hi == Float.POSITIVE_INFINITY) channelAffine(rows, c, y, scale, shift, y);
        else throw new IllegalArgumentException("the affine output stage clamps to [0, hi] or not at all, not [" + lo + ", " + hi + "]");
    }

    /** Zero padding of an n×h×w×c tensor by the given rows / columns on each side. */
    void pad(int n, int h, int w, int c, int top, int bottom, int left, int right, Storage x, Storage y);

    /** dx += the interior of dy (the gradient of {@link #pad}). */
    void padGrad(int n, int h, int w, int c, int top, int bottom, int left, int right, Storage dy, Storage dx);

    // ---- pooling -----------------------------------------------------------------------------------------------

    /** Max pooling with window {@code kh×kw} and stride; padded cells never win. */
    void maxPool(ConvGeometry g, Storage x, Storage y);

    /** dx += dy routed to the (first) maximum of each window. */
    void maxPoolGrad(ConvGeometry g, Storage x, Storage dy, Storage dx);

    /** y[n,c] = mean over h·w of x[n,h,w,c]. */
    void globalAveragePool(int n, int hw, int c, Storage x, Storage y);

    /** dx[n,p,c] += dy[n,c] / hw. */
    void globalAveragePoolGrad(int n, int hw, int c, Storage dy, Storage dx);

    // ---- per-channel ops over rows×c (NHWC flattened to rows = n·h·w) ------------------------------------------

    /** y = x·scale[c] + shift[c]; batch norm in inference mode, with scale = γ/√(var+ε), shift = β − mean·scale. */
    void channelAffine(int rows, int c, Storage x, Storage scale, Storage shift, Storage y);

    /**
     * y = min(max(x·scale[c] + shift[c], 0), cap): inference batch norm and the ReLU (cap +∞) or ReLU6 (cap 6) after
     * it in one pass over memory instead of two.
     */
    void channelAffineClamp(int rows, int c, Storage x, Storage scale, Storage shift, float cap, Storage y);

    /** dx += dy·scale[c]; dScale += Σ_rows dy·x; dShift += Σ_rows dy (either may be null to skip). */
    void channelAffineGrad(int rows, int c, Storage x, Storage dy, Storage scale, Storage dx, Storage dScale, Storage dShift);

    /** mean[c] and (biased) variance var[c] of x over rows. */
    void channelMoments(int rows, int c, Storage x, Storage mean, Storage var);

    /**
     * Batch-norm backward with batch statistics: with x̂ = (x−mean)·invStd,
     * dx += γ·invStd·(dy − mean(dy) − x̂·mean(dy·x̂)), dγ += Σ dy·x̂, dβ += Σ dy.
     */
    void batchNormGrad(int rows, int c, Storage x, Storage dy, Storage mean, Storage var, Storage gamma, float eps,
                       Storage dx, Storage dGamma, Storage dBeta);

    /** scale = γ/√(var+ε), shift = β − mean·scale: folds batch-norm statistics into {@link #channelAffine}. */
    void batchNormScaleShift(int c, Storage gamma, Storage beta, Storage mean, Storage var, float eps,
                             Storage scale, Storage shift);

    /** y = x + bias[c] over rows×c. */
    void biasAdd(int rows, int c, Storage x, Storage bias, Storage y);

    /** dBias[c] += Σ_rows dy[r,c]. */
    void biasGrad(int rows, int c, Storage dy, Storage dBias);

    // ---- elementwise -------------------------------------------------------------------------------------------

    /** y = min(max(x, 0), cap); cap = +∞ gives ReLU, 6 gives ReLU6. */
    void relu(long n, float cap, Storage x, Storage y);

    /** dx += dy where 0 < x < cap. */
    void reluGrad(long n, float cap, Storage x, Storage dy, Storage dx);

    /** y = a + b. */
    void add(long n, Storage a, Storage b, Storage y);

    /** y = a ⊙ b. */
    void mul(long n, Storage a, Storage b, Storage y);

    /** da += dy ⊙ b (the gradient of {@link #mul} with respect to a). */
    void mulGrad(long n, Storage dy, Storage b, Storage da);

    /** y = alpha·x (y may be x). */
    void scale(long n, float alpha, Storage x, Storage y);

    /** y += alpha·x. */
    void axpy(long n, float alpha, Storage x, Storage y);

    /** Σ x² (for L2 regularisation and norms). */
    float sumSquares(long n, Storage x);

    /** Σ x. */
    float sum(long n, Storage x);

    /**
     * Inverted dropout with a counter-based mask that every backend reproduces bit for bit:
     * keep[i] = hash(seed, i) ≥ rate; mask[i] = keep ? 1/(1−rate) : 0; y = x ⊙ mask.
     */
    void dropout(long n, float rate, long seed, Storage x, Storage mask, Storage y);

    // ---- loss --------------------------------------------------------------------------------------------------

    /**
     * Softmax and cross-entropy fused for stability: probs = softmax(logits) per row (max subtracted first);
     * returns Σ_rows −Σ_c target·log(prob) computed as target·(logSumExp − logit).
     */
    float softmaxCrossEntropy(int rows, int classes, Storage logits, Storage targets, Storage probs);

    /** dLogits += scale·(probs − targets) (scale = 1/rows for a mean loss). */
    void softmaxCrossEntropyGrad(int rows, int classes, Storage probs, Storage targets, float scale, Storage dLogits);

    /** probs = softmax(logits) per row. */
    void softmax(int rows, int classes, Storage logits, Storage probs);

    // ---- optimizers --------------------------------------------------------------------------------------------

    /** Keras SGD: v = momentum·v − lr·g; p += v (plain SGD when momentum = 0). */
    void sgdMomentumUpdate(long n, float lr, float momentum, Storage param, Storage grad, Storage velocity);

    /**
     * Keras Adam, step t ≥ 1: m = β1·m + (1−β1)·g; v = β2·v + (1−β2)·g²;
     * p −= lr·√(1−β2ᵗ)/(1−β1ᵗ) · m / (√v + ε).
     */
    void adamUpdate(long n, float lr, float beta1, float beta2, float eps, int t,
                    Storage param, Storage grad, Storage m, Storage v);
}
