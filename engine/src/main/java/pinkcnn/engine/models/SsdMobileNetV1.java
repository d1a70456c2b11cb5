package pinkcnn.engine.models;

import java.util.List;
import java.util.Random;
import pinkcnn.engine.backend.Backend;
import pinkcnn.engine.nn.BatchNorm;
import pinkcnn.engine.nn.Conv2d;
import pinkcnn.engine.nn.DepthwiseConv2d;
import pinkcnn.engine.nn.Graph;
import pinkcnn.engine.nn.ReLU;

/**
 * The SSD MobileNetV1 face detector of face-api.js (Vincent Mühler; the npm package {@code @vladmandic/face-api}
 * ships its weights as {@code model/ssd_mobilenetv1_model}), layer for layer as face-api runs it, so every layer can
 * be compared with the original:
 * <pre>
 *   input 512×512×3, pixels scaled to [−1, 1]
 *   conv_0 (3×3/2, 32, bias) → conv_0_relu
 *   13 × [conv_N_depthwise (3×3, stride 2 for N = 2, 4, 6, 12) → conv_N_depthwise_bn → conv_N_depthwise_relu →
 *         conv_N_pointwise (1×1, bias) → conv_N_pointwise_relu]                     (MobileNetV1, 32×32 after 11, 16×16 after 13)
 *   prediction_conv_0 … _7: 1×1 (256, 128, 128, 64 channels) and 3×3/2 (512, 256, 256, 128) alternating, each → _relu
 *   box_predictor_K_boxes / _classes (1×1, bias) on six feature maps: conv_11 (32², 3 anchors per cell),
 *         conv_13 (16², 6), prediction_conv_1 (8², 6), _3 (4², 6), _5 (2², 6), _7 (1², 6): 5,118 anchors in all
 * </pre>
 * All convolutions use TensorFlow's 'same' padding (the odd pixel of a stride-2 layer at the bottom / right); every
 * activation is ReLU6. The pointwise layers' batch norms were folded into their bias by the model's authors
 * ({@code convolution_bn_offset}); the depthwise layers keep theirs (ε = 1e-3). Each box predictor gives, per anchor,
 * four box offsets (ty, tx, th, tw) and three class logits (background, face, unused): decoding them with the anchors
 * (weight {@value #ANCHORS_WEIGHT} of the weights-file group {@value #ANCHORS_LAYER}) and non-maximum suppression are
 * plain Java (the trainer's face package), not layers.
 */
public final class SsdMobileNetV1 {
    /** The input side face-api resizes every photo to. */
    public static final int INPUT_SIZE = 512;
    public static final float BN_EPSILON = 1e-3f;
    /** The weights-file group holding the anchor boxes (not a layer): {@value #ANCHORS_WEIGHT}, anchors × 4. */
    public static final String ANCHORS_LAYER = "anchors";
    public static final String ANCHORS_WEIGHT = "anchors:0";
    public static final int ANCHORS = 5118;
    /** Class logits per anchor: background, face, and a third the face model never uses. */
    public static final int CLASSES = 3;

    /** Channels of the pointwise layers of MobileNetV1 1.0 (conv_0 is the first 3×3 convolution). */
    private static final int[] BACKBONE_CHANNELS = {32, 64, 128, 128, 256, 256, 512, 512, 512, 512, 512, 512, 1024, 1024};
    /** Channels of prediction_conv_0 … _7. */
    private static final int[] PREDICTION_CHANNELS = {256, 512, 128, 256, 128, 256, 64, 128};

    /** The six feature maps the box predictors read, in the order of their anchors, and anchors per cell. */
    public static final List<String> FEATURE_MAPS = List.of("conv_11_pointwise_relu", "conv_13_pointwise_relu",
            "prediction_conv_1_relu", "prediction_conv_3_relu", "prediction_conv_5_relu", "prediction_conv_7_relu");
    private static final int[] ANCHORS_PER_CELL = {3, 6, 6, 6, 6, 6};

    private SsdMobileNetV1() {}

    /** Box-offset outputs (n × h × w × 4·anchors per cell) of predictor k. */
    public static String boxesLayer(int k) {
        return "box_predictor_" + k + "_boxes";
    }

    /** Class-logit outputs (n × h × w × 3·anchors per cell) of predictor k. */
    public static String classesLayer(int k) {
        return "box_predictor_" + k + "_classes";
    }

    public static int predictors() {
        return FEATURE_MAPS.size();
    }

    public static int anchorsPerCell(int k) {
        return ANCHORS_PER_CELL[k];
    }

    /** Builds the network with freshly initialised weights (load real ones with the weight I/O). */
    public static Graph build(Backend b, int inputSize, long seed) {
        if (inputSize < 32 || inputSize % 32 != 0) {
            throw new IllegalArgumentException("input size must be a multiple of 32, not " + inputSize);
        }
        Random rnd = new Random(seed);
        Graph g = new Graph(inputSize, inputSize, 3);
        String x = conv(g, b, rnd, "conv_0", Graph.INPUT, BACKBONE_CHANNELS[0], 3, 2);
        for (int n = 1; n <= 13; n++) {
            int c = g.outputShape(x)[3];
            int stride = n == 2 || n == 4 || n == 6 || n == 12 ? 2 : 1;
            String p = "conv_" + n + "_depthwise";
            x = g.add(new DepthwiseConv2d(b, p, c, 3, stride, "same", rnd), x);
            x = g.add(new BatchNorm(b, p + "_bn", c, BN_EPSILON, BatchNorm.DEFAULT_MOMENTUM), x);
            x = g.add(ReLU.relu6(p + "_relu"), x);
            x = conv(g, b, rnd, "conv_" + n + "_pointwise", x, BACKBONE_CHANNELS[n], 1, 1);
        }
        for (int j = 0; j < PREDICTION_CHANNELS.length; j++) {
            boolean odd = j % 2 == 1;
            x = conv(g, b, rnd, "prediction_conv_" + j, x, PREDICTION_CHANNELS[j], odd ? 3 : 1, odd ? 2 : 1);
        }
        for (int k = 0; k < FEATURE_MAPS.size(); k++) {
            String in = FEATURE_MAPS.get(k);
            int c = g.outputShape(in)[3];
            g.add(new Conv2d(b, boxesLayer(k), c, 4 * ANCHORS_PER_CELL[k], 1, 1, "same", true, rnd), in);
            g.add(new Conv2d(b, classesLayer(k), c, CLASSES * ANCHORS_PER_CELL[k], 1, 1, "same", true, rnd), in);
        }
        return g;
    }

    /** A convolution with a bias (its batch norm folded in) and the ReLU6 after it; returns the ReLU's name. */
    private static String conv(Graph g, Backend b, Random rnd, String name, String input, int filters, int k, int stride) {
        int c = g.outputShape(input)[3];
        String x = g.add(new Conv2d(b, name, c, filters, k, stride, "same", true, rnd), input);
        return g.add(ReLU.relu6(name + "_relu"), x);
    }

    /** Anchors of a {@code inputSize} network: Σ cells × anchors per cell over the six feature maps. */
    public static int anchorCount(Graph g) {
        int n = 0;
        for (int k = 0; k < FEATURE_MAPS.size(); k++) {
            int[] s = g.outputShape(FEATURE_MAPS.get(k));
            n += s[1] * s[2] * ANCHORS_PER_CELL[k];
        }
        return n;
    }
}
