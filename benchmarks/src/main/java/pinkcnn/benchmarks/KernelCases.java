package pinkcnn.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import pinkcnn.engine.backend.Backend;
import pinkcnn.engine.backend.ConvGeometry;
import pinkcnn.engine.backend.InvertedResidual;
import pinkcnn.engine.backend.Storage;
import pinkcnn.engine.models.MobileNetV2;

/**
 * The benchmarked kernels and shapes, the same on every backend: GEMM 1024³; MobileNetV2's 1×1 convolutions, depthwise
 * layers, stem and whole inverted-residual blocks at 224×224 input and a chosen batch (1 by default); pooling; a
 * per-channel op (batch norm with ReLU6, as it runs where it is not fused into a convolution). Buffers are allocated
 * once per case and reused across runs.
 *
 * <p>Flops count every floating-point operation, not only multiply-adds, so that each case has an arithmetic
 * intensity (flops per byte moved) for the roofline: a max pool's comparisons, an average pool's additions, the
 * affine map and clamp of a per-channel op.
 */
public final class KernelCases {
    public static final List<String> OPS = List.of("gemm", "conv1x1", "depthwise", "conv3x3", "pool", "channel", "block");

    /** MobileNetV2's pointwise convolutions at 224×224: {spatial size, cin, cout}. */
    public static final int[][] CONV1X1 = {
            {112, 32, 16}, {112, 16, 96}, {56, 144, 24}, {28, 192, 32}, {14, 384, 64}, {14, 576, 96}, {7, 960, 160},
            {7, 320, 1280}};
    /** Depthwise 3×3 layers: {input size, channels, stride}. */
    public static final int[][] DEPTHWISE = {{112, 96, 2}, {56, 144, 1}, {14, 576, 1}};
    /** Per-channel op (batch norm + ReLU6) on activations: {spatial size, channels}. */
    public static final int[][] CHANNEL = {{112, 96}, {14, 576}};

    private final Backend b;
    private final int batch;
    private final Random rnd = new Random(1);

    public KernelCases(Backend backend) {
        this(backend, 1);
    }

    /** The layer cases (1×1, depthwise, stem) at batch {@code batch}. */
    public KernelCases(Backend backend, int batch) {
        if (batch < 1) throw new IllegalArgumentException("batch must be at least 1, not " + batch);
        this.b = backend;
        this.batch = batch;
    }

    /** Floats in the input of depthwise case {@code d} (one row of {@link #DEPTHWISE}) at this batch. */
    public long depthwiseInputFloats(int[] d) {
        return (long) batch * d[0] * d[0] * d[1];
    }

    /** "56x56x144", with the batch in front when it is not 1: "32x56x56x144". */
    public String label(int size, int c) {
        return (batch > 1 ? batch + "x" : "") + size + "x" + size + "x" + c;
    }

    public List<BenchCase> cases(String op) {
        List<BenchCase> out = new ArrayList<>();
        switch (op) {
            case "gemm" -> out.add(gemm(1024, 1024, 1024));
            case "conv1x1" -> {
                for (int[] c : CONV1X1) out.add(conv("conv1x1", new ConvGeometry(batch, c[0], c[0], c[1], 1, 1, 1, 0, 0, 0, 0, c[2])));
            }
            case "depthwise" -> {
                for (int[] d : DEPTHWISE) out.add(depthwise(d[0], d[1], d[2]));
            }
            case "conv3x3" -> out.add(conv("conv3x3", new ConvGeometry(batch, 224, 224, 3, 3, 3, 2, 0, 1, 0, 1, 32)));
            case "pool" -> {
                out.add(maxPool(new ConvGeometry(1, 112, 112, 96, 2, 2, 2, 0, 0, 0, 0, 96)));
                out.add(maxPool(new ConvGeometry(32, 7, 7, 1280, 2, 2, 2, 0, 0, 0, 0, 1280)));
                out.add(globalAveragePool(32, 7 * 7, 1280));
            }
            case "channel" -> {
                for (int[] c : CHANNEL) out.add(channelAffineClamp(c[0], c[1]));
            }
            case "block" -> {
                List<InvertedResidual> blocks = MobileNetV2.blocks(1.0, 224, batch);
                for (int id = 0; id < blocks.size(); id++) out.add(invertedResidual(id, blocks.get(id)));
            }
            default -> throw new IllegalArgumentException("unknown op '" + op + "'; choose from " + OPS);
        }
        return out;
    }

    private Storage random(long n) {
        Storage s = b.allocate(n);
        float[] v = new float[Math.toIntExact(n)];
        for (int i = 0; i < v.length; i++) v[i] = rnd.nextFloat() * 2 - 1;
        b.write(s, 0, v, 0, v.length);
        return s;
    }

    public BenchCase gemm(int m, int n, int k) {
        Storage a = random((long) m * k), bm = random((long) k * n), c = b.allocate((long) m * n);
        return new BenchCase("gemm", m + "x" + n + "x" + k, 2.0 * m * n * k, 4.0 * ((double) m * k + (double) k * n + (double) m * n),
                () -> b.gemm(false, false, m, n, k, 1f, a, 0, k, bm, 0, n, 0f, c, 0, n), c);
    }

    public BenchCase conv(String op, ConvGeometry g) {
        Storage x = random(g.inputSize()), w = random((long) g.kh() * g.kw() * g.cin() * g.cout()), y = b.allocate(g.outputSize());
        double flops = 2.0 * g.outputSize() * g.kh() * g.kw() * g.cin();
        double bytes = 4.0 * (g.inputSize() + g.outputSize() + (double) g.kh() * g.kw() * g.cin() * g.cout());
        String shape = label(g.h(), g.cin()) + "->" + g.cout() + (g.stride() > 1 ? " s" + g.stride() : "");
        return new BenchCase(op, shape, flops, bytes, () -> b.conv2d(g, x, w, y), y);
    }

    public BenchCase depthwise(int size, int c, int stride) {
        // Keras: stride 2 layers pad (0,1),(0,1) explicitly; stride 1 layers use 'same' (1 on each side).
        ConvGeometry g = stride == 2
                ? new ConvGeometry(batch, size, size, c, 3, 3, 2, 0, 1, 0, 1, c)
                : new ConvGeometry(batch, size, size, c, 3, 3, 1, 1, 1, 1, 1, c);
        Storage x = random(g.inputSize()), w = random(9L * c), y = b.allocate(g.outputSize());
        return new BenchCase("depthwise", label(size, c) + " s" + stride, 2.0 * 9 * g.outputSize(),
                4.0 * (g.inputSize() + g.outputSize() + 9.0 * c), () -> b.depthwiseConv2d(g, x, w, y), y);
    }

    /**
     * MobileNetV2's block {@code id} in one {@link Backend#invertedResidual} call, on random weights, scales and shifts.
     * Flops: the multiply-adds of the expansion, the depthwise taps and the projection, twice (the output stages'
     * affine maps, clamps and the residual addition are left out, as in the convolution cases). Bytes: the block's
     * input and output and every parameter it reads; the expanded and filtered tensors in between are not counted
     * (the fused CPU version keeps them in cache).
     */
    public BenchCase invertedResidual(int id, InvertedResidual r) {
        ConvGeometry d = r.depthwise();
        int e = d.cin();
        long in = (long) d.n() * d.h() * d.w() * r.cin(), pixels = (long) d.n() * d.outH() * d.outW();
        boolean x = r.expand();
        Storage input = random(in), y = b.allocate(r.outputSize());
        Storage we = x ? random((long) r.cin() * e) : null, es = x ? random(e) : null, eh = x ? random(e) : null;
        Storage wd = random(9L * e), ds = random(e), dh = random(e);
        Storage wp = random((long) e * r.cout()), ps = random(r.cout()), ph = random(r.cout());
        double macs = (x ? (double) d.n() * d.h() * d.w() * r.cin() * e : 0) + 9.0 * pixels * e + (double) pixels * e * r.cout();
        double params = (x ? (double) r.cin() * e + 2.0 * e : 0) + 11.0 * e + (double) e * r.cout() + 2.0 * r.cout();
        String shape = "#" + id + " " + label(d.h(), r.cin()) + "->" + r.cout() + (d.stride() > 1 ? " s" + d.stride() : "")
                + (r.residual() ? " res" : "");
        return new BenchCase("block", shape, 2 * macs, 4.0 * (in + r.outputSize() + params),
                () -> b.invertedResidual(r, input, we, es, eh, wd, ds, dh, wp, ps, ph, y), y);
    }

    /** Flops: the k·k − 1 comparisons per output. */
    public BenchCase maxPool(ConvGeometry g) {
        Storage x = random(g.inputSize()), y = b.allocate(g.outputSize());
        return new BenchCase("maxpool", g.n() + "x" + g.h() + "x" + g.w() + "x" + g.cin() + " k" + g.kh() + " s" + g.stride(),
                (g.kh() * g.kw() - 1.0) * g.outputSize(), 4.0 * (g.inputSize() + g.outputSize()), () -> b.maxPool(g, x, y));
    }

    /** Flops: one addition per input and one scaling per output. */
    public BenchCase globalAveragePool(int n, int hw, int c) {
        Storage x = random((long) n * hw * c), y = b.allocate((long) n * c);
        return new BenchCase("global_average_pool", n + "x" + hw + "x" + c, (double) n * hw * c + (double) n * c,
                4.0 * ((double) n * hw * c + n * c), () -> b.globalAveragePool(n, hw, c, x, y));
    }

    /** y = min(max(x·scale[c] + shift[c], 0), 6): 4 flops per element (multiply, add, two comparisons). */
    public BenchCase channelAffineClamp(int size, int c) {
        int rows = batch * size * size;
        Storage x = random((long) rows * c), scale = random(c), shift = random(c), y = b.allocate((long) rows * c);
        return new BenchCase("channel", label(size, c) + " bn+relu6", 4.0 * rows * c, 4.0 * (2.0 * rows * c + 2.0 * c),
                () -> b.channelAffineClamp(rows, c, x, scale, shift, 6f, y));
    }
}
