package pinkcnn.engine.ops;

import java.util.Arrays;
import pinkcnn.engine.Autograd;
import pinkcnn.engine.Tensor;
import pinkcnn.engine.backend.Backend;
import pinkcnn.engine.backend.ConvGeometry;
import pinkcnn.engine.backend.Storage;

/**
 * Every differentiable op of the engine as a static function, as PyTorch's {@code torch.nn.functional} beside
 * {@code torch.nn}: the layers in {@code pinkcnn.engine.nn} own weights and call these.
 *
 * <p>Each function computes its output through the backend and records, with {@link Autograd#record}, how to push the
 * output's gradient to its inputs (again through the backend). The ops follow the order of the backend contract; each
 * one's gradient check is the method of the same name in {@code OpGradientTest}.
 */
public final class Functional {
    private Functional() {}

    // ---- elementwise ---------------------------------------------------------------------------------------------

    /** Elementwise a + b of equal shapes (MobileNetV2's residual connections; sums of losses). */
    public static Tensor add(Tensor a, Tensor b) {
        requireSameShape(a, b, "add");
        Backend be = a.backend();
        Tensor y = Tensor.empty(be, a.shape());
        be.add(a.size(), a.storage(), b.storage(), y.storage());
        Autograd.record(y, new Tensor[] {a, b}, () -> {
            if (a.requiresGrad()) be.axpy(a.size(), 1f, y.gradStorage(), a.gradStorage());
            if (b.requiresGrad()) be.axpy(b.size(), 1f, y.gradStorage(), b.gradStorage());
        });
        return y;
    }

    /** Elementwise a ⊙ b of equal shapes. */
    public static Tensor multiply(Tensor a, Tensor b) {
        requireSameShape(a, b, "multiply");
        Backend be = a.backend();
        Tensor y = Tensor.empty(be, a.shape());
        be.mul(a.size(), a.storage(), b.storage(), y.storage());
        Autograd.record(y, new Tensor[] {a, b}, () -> {
            if (a.requiresGrad()) be.mulGrad(a.size(), y.gradStorage(), b.storage(), a.gradStorage());
            if (b.requiresGrad()) be.mulGrad(b.size(), y.gradStorage(), a.storage(), b.gradStorage());
        });
        return y;
    }

    /** The sum of all elements, a scalar; its gradient broadcasts the upstream value to every element. */
    public static Tensor sum(Tensor x) {
        Backend b = x.backend();
        Tensor y = Tensor.scalar(b, b.sum(x.size(), x.storage()));
        Autograd.record(y, new Tensor[] {x}, () -> {
            Tensor upstream = Tensor.zeros(b, x.shape());
            b.fill(upstream.storage(), y.gradArray()[0]);
            b.axpy(x.size(), 1f, upstream.storage(), x.gradStorage());
        });
        return y;
    }

    /** y = min(max(x, 0), cap): ReLU with cap = +∞, ReLU6 with cap = 6 (MobileNetV2's activation). */
    public static Tensor relu(Tensor x, float cap) {
        Backend b = x.backend();
        Tensor y = Tensor.empty(b, x.shape());
        b.relu(x.size(), cap, x.storage(), y.storage());
        Autograd.record(y, new Tensor[] {x}, () -> b.reluGrad(x.size(), cap, x.storage(), y.gradStorage(), x.gradStorage()));
        return y;
    }

    /** y = x + bias, the bias broadcast over every axis but the last (channels). */
    public static Tensor biasAdd(Tensor x, Tensor bias) {
        int c = x.dim(-1), rows = (int) (x.size() / c);
        if (bias.size() != c) throw new IllegalArgumentException("bias of " + bias.size() + " for " + c + " channels");
        Backend b = x.backend();
        Tensor y = Tensor.empty(b, x.shape());
        b.biasAdd(rows, c, x.storage(), bias.storage(), y.storage());
        Autograd.record(y, new Tensor[] {x, bias}, () -> {
            if (x.requiresGrad()) b.axpy(x.size(), 1f, y.gradStorage(), x.gradStorage());
            if (bias.requiresGrad()) b.biasGrad(rows, c, y.gradStorage(), bias.gradStorage());
        });
        return y;
    }

    /**
     * Inverted dropout: each element is kept with probability 1 − rate and scaled by 1/(1 − rate), so the expected
     * output equals the input and inference needs no rescaling. The mask is a pure function of (seed, index).
     */
    public static Tensor dropout(Tensor x, float rate, long seed) {
        if (rate < 0f || rate >= 1f) throw new IllegalArgumentException("dropout rate must be in [0, 1): " + rate);
        Backend b = x.backend();
        Tensor y = Tensor.empty(b, x.shape());
        Tensor mask = Tensor.empty(b, x.shape());
        b.dropout(x.size(), rate, seed, x.storage(), mask.storage(), y.storage());
        Autograd.record(y, new Tensor[] {x}, () -> b.mulGrad(x.size(), y.gradStorage(), mask.storage(), x.gradStorage()));
        return y;
    }

    // ---- shapes --------------------------------------------------------------------------------------------------

    /** N×… → N×(product of the rest), in row-major (NHWC) order as Keras' Flatten. */
    public static Tensor flatten(Tensor x) {
        return x.reshape(x.dim(0), -1);
    }

    /** Zero padding of an NHWC tensor, possibly asymmetric (Keras pads (0,1),(0,1) before stride-2 convolutions). */
    public static Tensor zeroPad2d(Tensor x, int top, int bottom, int left, int right) {
        requireRank(x, 4, "zero padding input");
        int n = x.dim(0), h = x.dim(1), w = x.dim(2), c = x.dim(3);
        Backend b = x.backend();
        Tensor y = Tensor.empty(b, n, h + top + bottom, w + left + right, c);
        b.pad(n, h, w, c, top, bottom, left, right, x.storage(), y.storage());
        Autograd.record(y, new Tensor[] {x},
                () -> b.padGrad(n, h, w, c, top, bottom, left, right, y.gradStorage(), x.gradStorage()));
        return y;
    }

    // ---- dense and convolutions ----------------------------------------------------------------------------------

    /** y = x·W + b for x of shape N×in, W in×out (the Keras layout), b out (may be null). */
    public static Tensor dense(Tensor x, Tensor kernel, Tensor bias) {
        requireRank(x, 2, "dense input");
        int n = x.dim(0), in = x.dim(1), out = kernel.dim(1);
        if (kernel.dim(0) != in) throw new IllegalArgumentException("dense kernel expects " + kernel.dim(0) + " inputs, got " + in);
        Backend b = x.backend();
        Tensor y = Tensor.empty(b, n, out);
        b.gemm(false, false, n, out, in, 1f, x.storage(), 0, in, kernel.storage(), 0, out, 0f, y.storage(), 0, out);
        if (bias != null) b.biasAdd(n, out, y.storage(), bias.storage(), y.storage());
        Autograd.record(y, new Tensor[] {x, kernel, bias}, () -> {
            if (x.requiresGrad())       // dx += dy·Wᵀ
                b.gemm(false, true, n, in, out, 1f, y.gradStorage(), 0, out, kernel.storage(), 0, out, 1f, x.gradStorage(), 0, in);
            if (kernel.requiresGrad())  // dW += xᵀ·dy
                b.gemm(true, false, in, out, n, 1f, x.storage(), 0, in, y.gradStorage(), 0, out, 1f, kernel.gradStorage(), 0, out);
            if (bias != null && bias.requiresGrad()) b.biasGrad(n, out, y.gradStorage(), bias.gradStorage());
        });
        return y;
    }

    /** 2-D convolution of an NHWC input with an HWIO kernel (square, Keras 'valid' or 'same' padding). */
    public static Tensor conv2d(Tensor x, Tensor kernel, int stride, String padding) {
        ConvGeometry g = convGeometry(x, kernel, stride, padding);
        Backend b = x.backend();
        Tensor y = Tensor.empty(b, g.n(), g.outH(), g.outW(), g.cout());
        b.conv2d(g, x.storage(), kernel.storage(), y.storage());
        Autograd.record(y, new Tensor[] {x, kernel}, () -> {
            if (x.requiresGrad()) b.conv2dInputGrad(g, y.gradStorage(), kernel.storage(), x.gradStorage());
            if (kernel.requiresGrad()) b.conv2dWeightGrad(g, x.storage(), y.gradStorage(), kernel.gradStorage());
        });
        return y;
    }

    /**
     * The convolution followed by y = clamp(y·scale[co] + shift[co], lo, hi) in its output stage: frozen batch norm
     * and the ReLU after it folded into the convolution ({@link pinkcnn.engine.nn.Graph} does this for passes without
     * gradients; there is no backward).
     */
    public static Tensor conv2dAffine(Tensor x, Tensor kernel, int stride, String padding, Tensor scale, Tensor shift,
                                      float lo, float hi) {
        return conv2dAffine(x, kernel, stride, padding, null, scale, shift, lo, hi);
    }

    /**
     * {@link #conv2dAffine} on x zero-padded first by {@code pad} = {top, bottom, left, right} (a ZeroPadding2d
     * folded into the convolution's own padding: the padded copy is never made); null for none.
     */
    public static Tensor conv2dAffine(Tensor x, Tensor kernel, int stride, String padding, int[] pad, Tensor scale,
                                      Tensor shift, float lo, float hi) {
        Autograd.requireOff("conv2d with a fused output stage");
        ConvGeometry g = withPadding(convGeometry(x, kernel, stride, padding, pad), pad);
        Tensor y = Tensor.empty(x.backend(), g.n(), g.outH(), g.outW(), g.cout());
        x.backend().conv2dAffine(g, x.storage(), kernel.storage(), scale.storage(), shift.storage(), lo, hi, y.storage());
        return y;
    }

    /** Depthwise 2-D convolution (multiplier 1): one kh×kw filter per channel; kernel kh×kw×c (or Keras' kh×kw×c×1). */
    public static Tensor depthwiseConv2d(Tensor x, Tensor kernel, int stride, String padding) {
        ConvGeometry g = depthwiseGeometry(x, kernel, stride, padding);
        Backend b = x.backend();
        Tensor y = Tensor.empty(b, g.n(), g.outH(), g.outW(), g.cout());
        b.depthwiseConv2d(g, x.storage(), kernel.storage(), y.storage());
        Autograd.record(y, new Tensor[] {x, kernel}, () -> {
            if (x.requiresGrad()) b.depthwiseConv2dInputGrad(g, y.gradStorage(), kernel.storage(), x.gradStorage());
            if (kernel.requiresGrad()) b.depthwiseConv2dWeightGrad(g, x.storage(), y.gradStorage(), kernel.gradStorage());
        });
        return y;
    }

    /** The depthwise convolution with the fused output stage of {@link #conv2dAffine} (no backward). */
    public static Tensor depthwiseConv2dAffine(Tensor x, Tensor kernel, int stride, String padding, int[] pad,
                                               Tensor scale, Tensor shift, float lo, float hi) {
        Autograd.requireOff("depthwise conv2d with a fused output stage");
        ConvGeometry g = withPadding(depthwiseGeometry(x, kernel, stride, padding, pad), pad);
        Tensor y = Tensor.empty(x.backend(), g.n(), g.outH(), g.outW(), g.cout());
        x.backend().depthwiseConv2dAffine(g, x.storage(), kernel.storage(), scale.storage(), shift.storage(), lo, hi,
                y.storage());
        return y;
    }

    private static ConvGeometry convGeometry(Tensor x, Tensor kernel, int stride, String padding) {
        return convGeometry(x, kernel, stride, padding, null);
    }

    /**
     * The geometry on x zero-padded by {@code pad} (null: none) as a padded tensor would have it; {@link #withPadding}
     * then moves the extra rows and columns into the geometry's own padding.
     */
    public static ConvGeometry withPadding(ConvGeometry g, int[] pad) {
        if (pad == null) return g;
        return new ConvGeometry(g.n(), g.h() - pad[0] - pad[1], g.w() - pad[2] - pad[3], g.cin(), g.kh(), g.kw(),
                g.stride(), g.padTop() + pad[0], g.padBottom() + pad[1], g.padLeft() + pad[2], g.padRight() + pad[3],
                g.cout());
    }

    private static int padded(Tensor x, int axis, int[] pad) {
        return x.dim(axis) + (pad == null ? 0 : axis == 1 ? pad[0] + pad[1] : pad[2] + pad[3]);
    }

    private static ConvGeometry convGeometry(Tensor x, Tensor kernel, int stride, String padding, int[] pad) {
        requireRank(x, 4, "conv2d input");
        requireRank(kernel, 4, "conv2d kernel (HWIO)");
        if (kernel.dim(0) != kernel.dim(1)) throw new IllegalArgumentException("square kernels only: " + kernel);
        if (kernel.dim(2) != x.dim(3)) {
            throw new IllegalArgumentException("conv2d kernel expects " + kernel.dim(2) + " input channels, input has " + x.dim(3));
        }
        return ConvGeometry.of(x.dim(0), padded(x, 1, pad), padded(x, 2, pad), x.dim(3), kernel.dim(0), stride, padding,
                kernel.dim(3));
    }

    private static ConvGeometry depthwiseGeometry(Tensor x, Tensor kernel, int stride, String padding) {
        return depthwiseGeometry(x, kernel, stride, padding, null);
    }

    /** The depthwise geometry on x zero-padded by {@code pad} (null: none); see {@link #withPadding}. */
    private static ConvGeometry depthwiseGeometry(Tensor x, Tensor kernel, int stride, String padding, int[] pad) {
        requireRank(x, 4, "depthwise input");
        int k = kernel.dim(0), c = kernel.dim(2);
        if (kernel.dim(1) != k || c != x.dim(3) || (kernel.rank() == 4 && kernel.dim(3) != 1) || kernel.rank() < 3) {
            throw new IllegalArgumentException("depthwise kernel " + Arrays.toString(kernel.shape())
                    + " does not fit input " + Arrays.toString(x.shape()));
        }
        return ConvGeometry.of(x.dim(0), padded(x, 1, pad), padded(x, 2, pad), c, k, stride, padding, c);
    }

    // ---- pooling -------------------------------------------------------------------------------------------------

    /** Max pooling with a k×k window and a stride (Keras 'valid' or 'same' padding). */
    public static Tensor maxPool2d(Tensor x, int k, int stride, String padding) {
        requireRank(x, 4, "max pooling input");
        ConvGeometry g = ConvGeometry.of(x.dim(0), x.dim(1), x.dim(2), x.dim(3), k, stride, padding, x.dim(3));
        Backend b = x.backend();
        Tensor y = Tensor.empty(b, g.n(), g.outH(), g.outW(), g.cout());
        b.maxPool(g, x.storage(), y.storage());
        Autograd.record(y, new Tensor[] {x}, () -> b.maxPoolGrad(g, x.storage(), y.gradStorage(), x.gradStorage()));
        return y;
    }

    /** Mean over the spatial axes: N×H×W×C → N×C. */
    public static Tensor globalAveragePool2d(Tensor x) {
        requireRank(x, 4, "global average pooling input");
        int n = x.dim(0), hw = x.dim(1) * x.dim(2), c = x.dim(3);
        Backend b = x.backend();
        Tensor y = Tensor.empty(b, n, c);
        b.globalAveragePool(n, hw, c, x.storage(), y.storage());
        Autograd.record(y, new Tensor[] {x}, () -> b.globalAveragePoolGrad(n, hw, c, y.gradStorage(), x.gradStorage()));
        return y;
    }

    /**
     * Adaptive average pooling to a G×G grid: N×H×W×C → N×G×G×C, cell (gy, gx) covering rows [gy·H/G, (gy+1)·H/G) and
     * columns likewise (uneven cells when G does not divide the size, as PyTorch's AdaptiveAvgPool2d). It keeps the
     * coarse layout of a feature map — where the eyes, mouth and hair are — that global pooling throws away.
     *
     * <p>Computed on the host: the maps it pools are small (14×14×576 at most here) and this keeps the backend contract
     * free of a kernel that only the classifier head uses. The backward pass spreads each cell's gradient evenly over it.
     */
    public static Tensor gridAveragePool2d(Tensor x, int grid) {
        requireRank(x, 4, "grid pooling input");
        int n = x.dim(0), h = x.dim(1), w = x.dim(2), c = x.dim(3), hw = h * w, cells = grid * grid;
        Backend b = x.backend();
        // Each image's pooling is a GEMM, y[img] (cells × c) = P (cells × hw) · x[img] (hw × c), with P's row of a cell
        // holding 1/area over the cell's pixels: it stays on the backend, where a host loop over the map (a download,
        // the loop, an upload, and the same again for the gradient) took most of a fine-tuning step's forward pass.
        float[] pm = new float[cells * hw];
        forEachGridCell(1, h, w, 1, grid, (img, cell, y0, y1, x0, x1) -> {
            float share = 1f / ((y1 - y0) * (x1 - x0));
            for (int yy = y0; yy < y1; yy++) for (int xx = x0; xx < x1; xx++) pm[cell * hw + yy * w + xx] = share;
        });
        Tensor p = Tensor.of(b, pm, cells, hw);
        Tensor y = Tensor.empty(b, n, grid, grid, c);
        for (int img = 0; img < n; img++) {
            b.gemm(false, false, cells, c, hw, 1f, p.storage(), 0, hw, x.storage(), (long) img * hw * c, c, 0f, y.storage(),
                    (long) img * cells * c, c);
        }
        Autograd.record(y, new Tensor[] {x}, () -> {
            for (int img = 0; img < n; img++) {
                // dx[img] += Pᵀ · dy[img]
                b.gemm(true, false, hw, c, cells, 1f, p.storage(), 0, hw, y.gradStorage(), (long) img * cells * c, c, 1f,
                        x.gradStorage(), (long) img * hw * c, c);
            }
        });
        return y;
    }

    /** {@link #gridAveragePool2d(Tensor, int)} on a host array of n maps h×w×c (for cached features). */
    public static float[] gridAveragePool2d(float[] maps, int n, int h, int w, int c, int grid) {
        float[] out = new float[n * grid * grid * c];
        forEachGridCell(n, h, w, c, grid, (img, cell, y0, y1, x0, x1) -> {
            double[] acc = new double[c];
            for (int yy = y0; yy < y1; yy++)
                for (int xx = x0; xx < x1; xx++) {
                    int ib = ((img * h + yy) * w + xx) * c;
                    for (int ch = 0; ch < c; ch++) acc[ch] += maps[ib + ch];
                }
            double inv = 1.0 / ((y1 - y0) * (x1 - x0));
            for (int ch = 0; ch < c; ch++) out[cell + ch] = (float) (acc[ch] * inv);
        });
        return out;
    }

    private interface GridCellVisitor {
        /** cell = flat offset of the cell's first channel in the pooled output. */
        void visit(int img, int cell, int y0, int y1, int x0, int x1);
    }

    private static void forEachGridCell(int n, int h, int w, int c, int grid, GridCellVisitor v) {
        if (grid < 1 || grid > Math.min(h, w)) throw new IllegalArgumentException("grid " + grid + " for a " + h + "×" + w + " map");
        for (int img = 0; img < n; img++)
            for (int gy = 0; gy < grid; gy++)
                for (int gx = 0; gx < grid; gx++) {
                    int y0 = gy * h / grid, y1 = (gy + 1) * h / grid, x0 = gx * w / grid, x1 = (gx + 1) * w / grid;
                    v.visit(img, ((img * grid + gy) * grid + gx) * c, y0, y1, x0, x1);
                }
    }

    // ---- batch normalisation -------------------------------------------------------------------------------------
    // Over the channel axis of an NHWC tensor (rows = N·H·W): y = γ·(x − μ)/√(σ² + ε) + β.

    /**
     * Batch norm on the moving statistics μ, σ², so y is a per-channel affine map of x. Used in eval mode and always
     * for a frozen layer (the Keras 2 behaviour of normalising frozen layers with batch statistics was one cause of
     * the original project's train/dev gap).
     */
    public static Tensor batchNorm(Tensor x, Tensor gamma, Tensor beta, Tensor movingMean, Tensor movingVar, float eps) {
        int c = x.dim(-1), rows = (int) (x.size() / c);
        Backend b = x.backend();
        Tensor[] ss = batchNormScaleShift(gamma, beta, movingMean, movingVar, eps);
        Tensor scale = ss[0], shift = ss[1];
        Tensor y = Tensor.empty(b, x.shape());
        b.channelAffine(rows, c, x.storage(), scale.storage(), shift.storage(), y.storage());
        Autograd.record(y, new Tensor[] {x, gamma, beta}, () -> {
            Storage dy = y.gradStorage();
            Storage dx = x.requiresGrad() ? x.gradStorage() : null;
            if (!gamma.requiresGrad() && !beta.requiresGrad()) {
                if (dx != null) b.channelAffineGrad(rows, c, x.storage(), dy, scale.storage(), dx, null, null);
                return;
            }
            // One pass over x and dy gives dx, Σ dy·x and Σ dy; then, per channel, dγ = Σ dy·x̂ with
            // x̂ = x·invStd + negMeanInvStd (the fold with γ = 1, β = 0) is invStd·Σ dy·x + negMeanInvStd·Σ dy, and
            // dβ = Σ dy. Computing x̂ itself took a pass writing a tensor as large as x and another reading it back.
            Tensor sumDyX = Tensor.zeros(b, c), sumDy = Tensor.zeros(b, c);
            b.channelAffineGrad(rows, c, x.storage(), dy, scale.storage(), dx, sumDyX.storage(), sumDy.storage());
            if (gamma.requiresGrad()) {
                Tensor ones = Tensor.zeros(b, c), zeros = Tensor.zeros(b, c);
                b.fill(ones.storage(), 1f);
                Tensor invStd = Tensor.empty(b, c), negMeanInvStd = Tensor.empty(b, c);
                b.batchNormScaleShift(c, ones.storage(), zeros.storage(), movingMean.storage(), movingVar.storage(), eps,
                        invStd.storage(), negMeanInvStd.storage());
                b.mul(c, invStd.storage(), sumDyX.storage(), invStd.storage());
                b.mul(c, negMeanInvStd.storage(), sumDy.storage(), negMeanInvStd.storage());
                b.add(c, invStd.storage(), negMeanInvStd.storage(), invStd.storage());
                b.add(c, gamma.gradStorage(), invStd.storage(), gamma.gradStorage());
            }
            if (beta.requiresGrad()) b.add(c, beta.gradStorage(), sumDy.storage(), beta.gradStorage());
        });
        return y;
    }

    /**
     * {@link #batchNorm} followed by ReLU(cap), fused into one pass: for passes without gradients (the fused kernel
     * has no backward; with recording on, this is the two ops one after the other).
     */
    public static Tensor batchNormRelu(Tensor x, Tensor gamma, Tensor beta, Tensor movingMean, Tensor movingVar,
                                       float eps, float cap) {
        if (Autograd.enabled() && (x.requiresGrad() || gamma.requiresGrad() || beta.requiresGrad())) {
            return relu(batchNorm(x, gamma, beta, movingMean, movingVar, eps), cap);
        }
        int c = x.dim(-1), rows = (int) (x.size() / c);
        Tensor[] ss = batchNormScaleShift(gamma, beta, movingMean, movingVar, eps);
        Tensor y = Tensor.empty(x.backend(), x.shape());
        x.backend().channelAffineClamp(rows, c, x.storage(), ss[0].storage(), ss[1].storage(), cap, y.storage());
        return y;
    }

    /** Per-channel scale γ/√(σ²+ε) and shift β − μ·scale from the moving statistics: y = scale·x + shift. */
    public static Tensor[] batchNormScaleShift(Tensor gamma, Tensor beta, Tensor movingMean, Tensor movingVar, float eps) {
        int c = (int) gamma.size();
        Backend b = gamma.backend();
        Tensor scale = Tensor.empty(b, c), shift = Tensor.empty(b, c);
        b.batchNormScaleShift(c, gamma.storage(), beta.storage(), movingMean.storage(), movingVar.storage(), eps,
                scale.storage(), shift.storage());
        return new Tensor[] {scale, shift};
    }

    /**
     * Batch norm on the batch's own statistics μ, σ²: the gradient flows through them too, and the moving statistics
     * move towards them: moving = momentum·moving + (1 − momentum)·batch (variance Bessel-corrected, as TensorFlow
     * does).
     */
    public static Tensor batchNormTraining(Tensor x, Tensor gamma, Tensor beta, Tensor movingMean, Tensor movingVar,
                                           float momentum, float eps) {
        int c = x.dim(-1), rows = (int) (x.size() / c);
        Backend b = x.backend();
        Tensor mean = Tensor.empty(b, c), var = Tensor.empty(b, c);
        b.channelMoments(rows, c, x.storage(), mean.storage(), var.storage());
        Tensor scale = Tensor.empty(b, c), shift = Tensor.empty(b, c);
        b.batchNormScaleShift(c, gamma.storage(), beta.storage(), mean.storage(), var.storage(), eps,
                scale.storage(), shift.storage());
        Tensor y = Tensor.empty(b, x.shape());
        b.channelAffine(rows, c, x.storage(), scale.storage(), shift.storage(), y.storage());
        updateMoving(b, c, momentum, movingMean.storage(), mean.storage(), 1f);
        updateMoving(b, c, momentum, movingVar.storage(), var.storage(), rows > 1 ? rows / (rows - 1f) : 1f);
        Autograd.record(y, new Tensor[] {x, gamma, beta}, () -> b.batchNormGrad(rows, c, x.storage(), y.gradStorage(),
                mean.storage(), var.storage(), gamma.storage(), eps,
                x.requiresGrad() ? x.gradStorage() : null,
                gamma.requiresGrad() ? gamma.gradStorage() : null,
                beta.requiresGrad() ? beta.gradStorage() : null));
        return y;
    }

    /** moving = momentum·moving + (1 − momentum)·correction·batch */
    private static void updateMoving(Backend b, int c, float momentum, Storage moving, Storage batch, float correction) {
        b.scale(c, momentum, moving, moving);
        b.axpy(c, (1f - momentum) * correction, batch, moving);
    }

    // ---- losses --------------------------------------------------------------------------------------------------

    /**
     * Mean cross-entropy of softmax(logits) against target distributions (one-hot rows for hard labels), fused:
     * loss = (1/N) Σ_rows Σ_c t·(logSumExp(z) − z_c), whose gradient is simply (softmax(z) − t)/N. Computing it from
     * the logits avoids log(0) for confident wrong predictions.
     */
    public static Tensor softmaxCrossEntropy(Tensor logits, Tensor targets) {
        requireRank(logits, 2, "logits");
        requireSameShape(logits, targets, "softmax cross-entropy");
        int rows = logits.dim(0), classes = logits.dim(1);
        Backend b = logits.backend();
        Tensor probs = Tensor.empty(b, rows, classes);
        float total = b.softmaxCrossEntropy(rows, classes, logits.storage(), targets.storage(), probs.storage());
        Tensor loss = Tensor.scalar(b, total / rows);
        Autograd.record(loss, new Tensor[] {logits}, () -> {
            float upstream = loss.gradArray()[0];
            b.softmaxCrossEntropyGrad(rows, classes, probs.storage(), targets.storage(), upstream / rows, logits.gradStorage());
        });
        return loss;
    }

    /**
     * Softmax cross-entropy with one weight per row (class weights for unbalanced data):
     * loss = Σ_r w_r·CE_r / Σ_r w_r, whose gradient is w_r·(p_r − t_r) / Σw. The per-row losses are computed on the
     * host from the (rows × classes) probabilities, which are tiny; the gradient uses the fused kernel and a row scaling.
     */
    public static Tensor weightedSoftmaxCrossEntropy(Tensor logits, Tensor targets, float[] rowWeights) {
        requireRank(logits, 2, "logits");
        requireSameShape(logits, targets, "weighted softmax cross-entropy");
        int rows = logits.dim(0), classes = logits.dim(1);
        if (rowWeights.length != rows) throw new IllegalArgumentException(rowWeights.length + " weights for " + rows + " rows");
        Backend b = logits.backend();
        Tensor probs = Tensor.empty(b, rows, classes);
        b.softmax(rows, classes, logits.storage(), probs.storage());
        float[] p = probs.toArray(), t = targets.toArray();
        double total = 0, weightSum = 0;
        float[] w = new float[rows * classes];
        for (int r = 0; r < rows; r++) {
            double ce = 0;
            for (int c = 0; c < classes; c++) {
                float tc = t[r * classes + c];
                if (tc != 0f) ce -= tc * Math.log(Math.max(p[r * classes + c], 1e-30f));
            }
            total += rowWeights[r] * ce;
            weightSum += rowWeights[r];
        }
        for (int r = 0; r < rows; r++) for (int c = 0; c < classes; c++) w[r * classes + c] = (float) (rowWeights[r] / weightSum);
        Tensor scale = Tensor.of(b, w, rows, classes);
        Tensor loss = Tensor.scalar(b, (float) (total / weightSum));
        Autograd.record(loss, new Tensor[] {logits}, () -> {
            float upstream = loss.gradArray()[0];
            Tensor d = Tensor.zeros(b, rows, classes);
            b.softmaxCrossEntropyGrad(rows, classes, probs.storage(), targets.storage(), upstream, d.storage());
            b.mulGrad((long) rows * classes, d.storage(), scale.storage(), logits.gradStorage());
        });
        return loss;
    }

    /**
     * Keras' {@code activity_regularizer=l2(λ)} on a softmax layer's output, as the original project's head had:
     * penalty = λ·Σ p² / rows with p = softmax(z). Through the softmax Jacobian, with g = 2λp/rows:
     * ∂/∂z = p ⊙ (g − Σ_c p·g). Computed on the host: the tensor is only rows × classes.
     */
    public static Tensor softmaxActivityL2(Tensor logits, float lambda) {
        requireRank(logits, 2, "logits");
        int rows = logits.dim(0), classes = logits.dim(1);
        Backend b = logits.backend();
        Tensor probs = Tensor.empty(b, rows, classes);
        b.softmax(rows, classes, logits.storage(), probs.storage());
        float[] p = probs.toArray();
        double sq = 0;
        for (float v : p) sq += (double) v * v;
        Tensor penalty = Tensor.scalar(b, (float) (lambda * sq / rows));
        Autograd.record(penalty, new Tensor[] {logits}, () -> {
            float upstream = penalty.gradArray()[0];
            float[] dz = new float[rows * classes];
            for (int r = 0; r < rows; r++) {
                int base = r * classes;
                double dot = 0;
                for (int c = 0; c < classes; c++) dot += p[base + c] * (2.0 * lambda * p[base + c] / rows);
                for (int c = 0; c < classes; c++) {
                    double g = 2.0 * lambda * p[base + c] / rows;
                    dz[base + c] = (float) (upstream * p[base + c] * (g - dot));
                }
            }
            Tensor d = Tensor.of(b, dz, rows, classes);
            b.axpy(dz.length, 1f, d.storage(), logits.gradStorage());
        });
        return penalty;
    }

    /** One-hot rows for integer labels. */
    public static float[] oneHot(int[] labels, int classes) {
        return smoothedOneHot(labels, classes, 0f);
    }

    /**
     * Label smoothing: (1 − ε)·one-hot + ε/classes, so the true class gets 1 − ε + ε/classes and every other class
     * ε/classes. The rows still sum to 1, so the gradient stays (softmax(z) − t)/N; the logits are no longer pushed
     * towards infinity once the training set is learnt.
     */
    public static float[] smoothedOneHot(int[] labels, int classes, float epsilon) {
        if (!(epsilon >= 0f && epsilon < 1f)) throw new IllegalArgumentException("label smoothing " + epsilon + " not in [0, 1)");
        float[] t = new float[labels.length * classes];
        Arrays.fill(t, epsilon / classes);
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= classes) throw new IllegalArgumentException("label " + labels[i] + " not in [0," + classes + ")");
            t[i * classes + labels[i]] += 1f - epsilon;
        }
        return t;
    }

    // ---- argument checks, with messages that name the op and the shapes ------------------------------------------

    private static void requireRank(Tensor t, int rank, String what) {
        if (t.rank() != rank) {
            throw new IllegalArgumentException(what + " must have rank " + rank + ", got " + Arrays.toString(t.shape()));
        }
    }

    private static void requireSameShape(Tensor a, Tensor b, String op) {
        if (!Arrays.equals(a.shape(), b.shape())) {
            throw new IllegalArgumentException(op + ": shapes differ: " + Arrays.toString(a.shape()) + " vs " + Arrays.toString(b.shape()));
        }
    }
}
