package pinkcnn.engine.models;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import pinkcnn.engine.backend.Backend;
import pinkcnn.engine.backend.ConvGeometry;
import pinkcnn.engine.backend.InvertedResidual;
import pinkcnn.engine.nn.Add;
import pinkcnn.engine.nn.BatchNorm;
import pinkcnn.engine.nn.Conv2d;
import pinkcnn.engine.nn.Dense;
import pinkcnn.engine.nn.DepthwiseConv2d;
import pinkcnn.engine.nn.GlobalAveragePool2d;
import pinkcnn.engine.nn.Graph;
import pinkcnn.engine.nn.ReLU;
import pinkcnn.engine.nn.ZeroPadding2d;

/**
 * MobileNetV2 (Sandler et al. 2018) exactly as {@code keras.applications.MobileNetV2} builds it, layer names
 * included, so Keras weight files load one to one and any layer can be compared with Keras / TF.js:
 * <pre>
 *   Conv1_pad → Conv1 (3×3/2, 32·α) → bn_Conv1 → Conv1_relu
 *   17 inverted residual blocks: [block_N_expand (1×1, t·cin) → _expand_BN → _expand_relu] →
 *        [block_N_pad, for stride 2] → block_N_depthwise (3×3) → _depthwise_BN → _depthwise_relu →
 *        block_N_project (1×1, linear bottleneck) → _project_BN → [block_N_add when the shapes allow]
 *   Conv_1 (1×1, 1280) → Conv_1_bn → out_relu  [→ global_average_pooling2d → Logits (softmax), with the top]
 * </pre>
 * Block 0 has no expansion and is named {@code expanded_conv_*}. Stride-2 layers pad explicitly — (0,1) on each axis
 * for an even size, (1,1) for an odd one — then convolve 'valid'. Channel counts are rounded to multiples of 8.
 * Batch norms use ε = 1e-3 and momentum 0.999; activations are ReLU6.
 */
public final class MobileNetV2 {
    public static final float BN_EPSILON = 1e-3f;
    public static final float BN_MOMENTUM = 0.999f;
    public static final double[] ALPHAS = {0.35, 0.5, 0.75, 1.0, 1.3, 1.4};

    /** {expansion t, output channels c, stride s} of blocks 0 … 16. */
    private static final int[][] BLOCKS = {
            {1, 16, 1},
            {6, 24, 2}, {6, 24, 1},
            {6, 32, 2}, {6, 32, 1}, {6, 32, 1},
            {6, 64, 2}, {6, 64, 1}, {6, 64, 1}, {6, 64, 1},
            {6, 96, 1}, {6, 96, 1}, {6, 96, 1},
            {6, 160, 2}, {6, 160, 1}, {6, 160, 1},
            {6, 320, 1}};

    private MobileNetV2() {}

    /** Keras' _make_divisible: round to the nearest multiple of 8, never below 8 nor more than 10 % down. */
    public static int makeDivisible(double v, int divisor) {
        int newV = Math.max(divisor, (int) (v + divisor / 2.0) / divisor * divisor);
        if (newV < 0.9 * v) newV += divisor;
        return newV;
    }

    /**
     * Builds the network with freshly initialised weights (load real ones with the weight I/O).
     *
     * @param classes output classes of the top (ImageNet: 1000); ignored without the top
     */
    public static Graph build(Backend b, double alpha, int inputSize, boolean includeTop, int classes, long seed) {
        boolean known = false;
        for (double a : ALPHAS) known |= a == alpha;
        if (!known) throw new IllegalArgumentException("alpha must be one of 0.35, 0.5, 0.75, 1.0, 1.3, 1.4, not " + alpha);
        if (inputSize < 32) throw new IllegalArgumentException("input size must be at least 32, not " + inputSize);
        Random rnd = new Random(seed);
        Graph g = new Graph(inputSize, inputSize, 3);
        int channels = makeDivisible(32 * alpha, 8);
        String x = pad(g, "Conv1_pad", Graph.INPUT);
        x = g.add(new Conv2d(b, "Conv1", 3, channels, 3, 2, "valid", false, rnd), x);
        x = g.add(new BatchNorm(b, "bn_Conv1", channels, BN_EPSILON, BN_MOMENTUM), x);
        x = g.add(ReLU.relu6("Conv1_relu"), x);
        for (int id = 0; id < BLOCKS.length; id++) {
            x = invertedResidual(g, b, rnd, x, id, alpha, BLOCKS[id][0], BLOCKS[id][1], BLOCKS[id][2]);
        }
        int last = alpha > 1.0 ? makeDivisible(1280 * alpha, 8) : 1280;
        int in = g.outputShape(x)[3];
        x = g.add(new Conv2d(b, "Conv_1", in, last, 1, 1, "valid", false, rnd), x);
        x = g.add(new BatchNorm(b, "Conv_1_bn", last, BN_EPSILON, BN_MOMENTUM), x);
        x = g.add(ReLU.relu6("out_relu"), x);
        if (includeTop) {
            x = g.add(new GlobalAveragePool2d("global_average_pooling2d"), x);
            g.add(new Dense(b, "Logits", last, classes, false, rnd), x);
        }
        return g;
    }

    private static String invertedResidual(Graph g, Backend b, Random rnd, String input, int id, double alpha,
                                           int expansion, int filters, int stride) {
        int in = g.outputShape(input)[3];
        int out = makeDivisible((int) (filters * alpha), 8);
        String prefix = id == 0 ? "expanded_conv_" : "block_" + id + "_";
        String x = input;
        int channels = in;
        if (id > 0) {
            channels = expansion * in;
            x = g.add(new Conv2d(b, prefix + "expand", in, channels, 1, 1, "same", false, rnd), x);
            x = g.add(new BatchNorm(b, prefix + "expand_BN", channels, BN_EPSILON, BN_MOMENTUM), x);
            x = g.add(ReLU.relu6(prefix + "expand_relu"), x);
        }
        if (stride == 2) x = pad(g, prefix + "pad", x);
        x = g.add(new DepthwiseConv2d(b, prefix + "depthwise", channels, 3, stride, stride == 1 ? "same" : "valid", rnd), x);
        x = g.add(new BatchNorm(b, prefix + "depthwise_BN", channels, BN_EPSILON, BN_MOMENTUM), x);
        x = g.add(ReLU.relu6(prefix + "depthwise_relu"), x);
        x = g.add(new Conv2d(b, prefix + "project", channels, out, 1, 1, "same", false, rnd), x);
        x = g.add(new BatchNorm(b, prefix + "project_BN", out, BN_EPSILON, BN_MOMENTUM), x);
        if (in == out && stride == 1) x = g.add(new Add(prefix + "add"), input, x);
        return x;
    }

    /**
     * The sizes of the 17 inverted-residual blocks as {@link Backend#invertedResidual} takes them, for a batch of
     * {@code inputSize}×{@code inputSize} images: what {@link #build} makes of them when a pass fuses each block. Block
     * 0 has no expansion; the stride-2 blocks' padding (Keras' correct_pad) is folded into the depthwise geometry;
     * a block adds its input where it keeps channels and size; both ReLUs are ReLU6.
     */
    public static List<InvertedResidual> blocks(double alpha, int inputSize, int batch) {
        // the stem, Conv1 (3×3 stride 2 after correct_pad), halves the size, rounding up
        int size = (inputSize + 1) / 2, in = makeDivisible(32 * alpha, 8);
        List<InvertedResidual> out = new ArrayList<>();
        for (int id = 0; id < BLOCKS.length; id++) {
            int stride = BLOCKS[id][2], cout = makeDivisible((int) (BLOCKS[id][1] * alpha), 8);
            int channels = id == 0 ? in : BLOCKS[id][0] * in, odd = size % 2;
            ConvGeometry d = stride == 2
                    ? new ConvGeometry(batch, size, size, channels, 3, 3, 2, odd, 1, odd, 1, channels)
                    : new ConvGeometry(batch, size, size, channels, 3, 3, 1, 1, 1, 1, 1, channels);
            out.add(new InvertedResidual(d, in, cout, id > 0, 6f, 6f, in == cout && stride == 1));
            in = cout;
            size = d.outH();
        }
        return out;
    }

    /** Keras' correct_pad for a 3×3 stride-2 layer: (0,1) on an even axis, (1,1) on an odd one. */
    private static String pad(Graph g, String name, String input) {
        int[] s = g.outputShape(input);
        int top = 1 - (1 - s[1] % 2), left = 1 - (1 - s[2] % 2);
        return g.add(new ZeroPadding2d(name, top, 1, left, 1), input);
    }
}
