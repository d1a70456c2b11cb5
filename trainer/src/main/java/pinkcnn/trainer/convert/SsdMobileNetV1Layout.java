package pinkcnn.trainer.convert;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import pinkcnn.engine.cpu.CpuBackend;
import pinkcnn.engine.io.GraphWeights;
import pinkcnn.engine.io.KerasWeights;
import pinkcnn.engine.io.Weight;
import pinkcnn.engine.io.WeightSpec;
import pinkcnn.engine.models.SsdMobileNetV1;
import pinkcnn.engine.nn.Graph;

/**
 * face-api.js' SSD MobileNetV1 face detector ({@code ssd_mobilenetv1_model-weights_manifest.json}) in the Keras layout
 * of {@link SsdMobileNetV1}: each TensorFlow tensor name maps to one layer and weight, as face-api's own
 * {@code extractParamsFromWeightMap} maps them onto its functions:
 * <pre>
 *   MobilenetV1/Conv2d_0_pointwise/weights, convolution_bn_offset    → conv_0 kernel:0, bias:0
 *   MobilenetV1/Conv2d_N_depthwise/depthwise_weights                 → conv_N_depthwise depthwise_kernel:0
 *   MobilenetV1/Conv2d_N_depthwise/BatchNorm/gamma … moving_variance → conv_N_depthwise_bn gamma:0 …
 *   MobilenetV1/Conv2d_N_pointwise/weights, convolution_bn_offset    → conv_N_pointwise kernel:0, bias:0
 *   Prediction/Conv2d_N_pointwise/…                                  → prediction_conv_N kernel:0, bias:0
 *   Prediction/BoxPredictor_K/BoxEncodingPredictor/weights, biases   → box_predictor_K_boxes kernel:0, bias:0
 *   Prediction/BoxPredictor_K/ClassPredictor/weights, biases         → box_predictor_K_classes kernel:0, bias:0
 *   Output/extra_dim (1×5118×4)                                       → anchors anchors:0 (5118×4)
 * </pre>
 * The int32 tensors of the manifest (reshape sizes, slice bounds, concat axes of the frozen TensorFlow graph) are
 * constants of the graph face-api replaces with code; they are checked where they matter (the 512 input size) and
 * otherwise left out.
 */
public final class SsdMobileNetV1Layout {

    /** The manifest's model name in face-api's {@code model/} folder. */
    public static final String MODEL = "ssd_mobilenetv1_model";
    /** The root attribute naming the network, written into the converted file. */
    public static final String DESCRIPTION = "SSD MobileNetV1 face detector (face-api.js), 512x512 input";

    private static final Pattern BACKBONE = Pattern.compile("MobilenetV1/Conv2d_(\\d+)_(pointwise|depthwise)/(.+)");
    private static final Pattern PREDICTION = Pattern.compile("Prediction/Conv2d_(\\d+)_pointwise/(.+)");
    private static final Pattern PREDICTOR = Pattern.compile("Prediction/BoxPredictor_(\\d+)/(BoxEncodingPredictor|ClassPredictor)/(weights|biases)");
    private static final String ANCHORS = "Output/extra_dim";
    private static final String INPUT_SIZE = "Preprocessor/ResizeImage/size";
    private static final String SCALE = "Preprocessor/mul/x", OFFSET = "Preprocessor/sub/y";

    private SsdMobileNetV1Layout() {}

    /** The manifest's tensors as Keras-layout weights, every layer of the network checked (name and shape). */
    public static KerasWeights toKerasWeights(Map<String, WeightsManifest.Tensor> tensors, String source) {
        WeightsManifest.Tensor size = tensors.get(INPUT_SIZE);
        if (size != null && (size.values().length != 2 || size.values()[0] != SsdMobileNetV1.INPUT_SIZE
                || size.values()[1] != SsdMobileNetV1.INPUT_SIZE)) {
            throw new IllegalArgumentException("the detector's input size (" + INPUT_SIZE + ") is not "
                    + SsdMobileNetV1.INPUT_SIZE + "×" + SsdMobileNetV1.INPUT_SIZE + ": another variant of the model");
        }
        // The input scaling face-api applies in code, x/127.5 − 1, is the frozen graph's x·mul + (−sub).
        checkScalar(tensors, SCALE, 1 / 127.5);
        checkScalar(tensors, OFFSET, 1);
        Map<String, List<Weight>> byLayer = new LinkedHashMap<>();
        for (WeightsManifest.Tensor t : tensors.values()) {
            if (t.dtype().equals("int32") || t.name().equals(SCALE) || t.name().equals(OFFSET)) continue; // graph constants
            if (!t.dtype().equals("float32")) throw new IllegalArgumentException("weight " + t.name() + " has dtype " + t.dtype());
            String[] target = target(t.name());
            if (target == null) throw new IllegalArgumentException("weight " + t.name() + " belongs to no layer of SSD MobileNetV1");
            int[] shape = t.shape();
            if (t.name().equals(ANCHORS)) {
                if (shape.length != 3 || shape[0] != 1 || shape[2] != 4) {
                    throw new IllegalArgumentException(ANCHORS + " has shape " + WeightSpec.shapeText(shape) + ", expected 1×N×4");
                }
                shape = new int[] {shape[1], 4};
            }
            byLayer.computeIfAbsent(target[0], k -> new ArrayList<>()).add(new Weight(target[1], shape, t.values()));
        }

        KerasWeights out = new KerasWeights().withSource(source).withAttribute("model", DESCRIPTION);
        Map<String, List<WeightSpec>> expected;
        try (CpuBackend cpu = new CpuBackend(1)) {
            Graph g = SsdMobileNetV1.build(cpu, SsdMobileNetV1.INPUT_SIZE, 1);
            expected = GraphWeights.expected(g);
            expected.put(SsdMobileNetV1.ANCHORS_LAYER, List.of(new WeightSpec(SsdMobileNetV1.ANCHORS_WEIGHT,
                    new int[] {SsdMobileNetV1.anchorCount(g), 4})));
        }
        for (String layer : byLayer.keySet()) {
            if (!expected.containsKey(layer)) throw new IllegalArgumentException("SSD MobileNetV1 has no layer " + layer
                    + " (for " + byLayer.get(layer).get(0).name() + ")");
        }
        out.add(Graph.INPUT, List.of());
        for (String layer : expected.keySet()) out.add(layer, keras(byLayer.getOrDefault(layer, List.of())));
        List<String> problems = out.problemsAgainst(expected);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("does not fit SSD MobileNetV1: " + String.join("; ", problems.subList(0, Math.min(6, problems.size())))
                    + (problems.size() > 6 ? "; and " + (problems.size() - 6) + " more problems" : ""));
        }
        return out;
    }

    private static void checkScalar(Map<String, WeightsManifest.Tensor> tensors, String name, double expected) {
        WeightsManifest.Tensor t = tensors.get(name);
        if (t != null && (t.values().length != 1 || Math.abs(t.values()[0] - expected) > 1e-6)) {
            throw new IllegalArgumentException(name + " is not " + expected + ": the detector scales its input "
                    + "differently from face-api's SSD MobileNetV1");
        }
    }

    /** Keras' order of a layer's weights: kernel, bias; gamma, beta, moving mean, moving variance. */
    private static List<Weight> keras(List<Weight> ws) {
        List<String> order = List.of("depthwise_kernel:0", "kernel:0", "bias:0", "gamma:0", "beta:0", "moving_mean:0",
                "moving_variance:0", SsdMobileNetV1.ANCHORS_WEIGHT);
        List<Weight> sorted = new ArrayList<>(ws);
        sorted.sort((a, b) -> Integer.compare(order.indexOf(a.name()), order.indexOf(b.name())));
        return sorted;
    }

    /** {layer, weight} of a TensorFlow tensor name, or null when it is not a weight of the network. */
    static String[] target(String name) {
        if (name.equals(ANCHORS)) return new String[] {SsdMobileNetV1.ANCHORS_LAYER, SsdMobileNetV1.ANCHORS_WEIGHT};
        Matcher m = BACKBONE.matcher(name);
        if (m.matches()) {
            int n = Integer.parseInt(m.group(1));
            String rest = m.group(3);
            if (m.group(2).equals("pointwise")) {
                String layer = n == 0 ? "conv_0" : "conv_" + n + "_pointwise";
                return pointwise(layer, rest);
            }
            if (rest.equals("depthwise_weights")) return new String[] {"conv_" + n + "_depthwise", "depthwise_kernel:0"};
            if (rest.startsWith("BatchNorm/")) {
                String w = rest.substring("BatchNorm/".length());
                if (List.of("gamma", "beta", "moving_mean", "moving_variance").contains(w)) {
                    return new String[] {"conv_" + n + "_depthwise_bn", w + ":0"};
                }
            }
            return null;
        }
        m = PREDICTION.matcher(name);
        if (m.matches()) return pointwise("prediction_conv_" + m.group(1), m.group(2));
        m = PREDICTOR.matcher(name);
        if (m.matches()) {
            int k = Integer.parseInt(m.group(1));
            String layer = m.group(2).equals("BoxEncodingPredictor") ? SsdMobileNetV1.boxesLayer(k) : SsdMobileNetV1.classesLayer(k);
            return new String[] {layer, m.group(3).equals("weights") ? "kernel:0" : "bias:0"};
        }
        return null;
    }

    private static String[] pointwise(String layer, String weight) {
        return switch (weight) {
            case "weights" -> new String[] {layer, "kernel:0"};
            case "convolution_bn_offset" -> new String[] {layer, "bias:0"};
            default -> null;
        };
    }
}
