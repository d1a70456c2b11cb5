package pinkcnn.trainer.export;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import pinkcnn.engine.nn.Dense;
import pinkcnn.engine.nn.Dropout;
import pinkcnn.engine.nn.Flatten;
import pinkcnn.engine.nn.GlobalAveragePool2d;
import pinkcnn.engine.nn.GridAveragePool2d;
import pinkcnn.engine.nn.Layer;
import pinkcnn.engine.nn.MaxPool2d;
import pinkcnn.trainer.UserError;
import pinkcnn.trainer.train.FeatureExtractor;

/**
 * The description every exported model carries (ONNX metadata property {@value #KEY}, and the root attribute of the
 * same name in a Keras file): what the model expects — the crop, resize and input scaling that stay outside it —,
 * the class names in output order, and the layers after the backbone's cut with their Keras names and weight shapes,
 * from which docs/keras_rebuild.py rebuilds the classifier. Plain JSON, ASCII only.
 */
public final class ExportSpec {
    /** The metadata key / attribute name. */
    public static final String KEY = "pinkcnn";
    public static final String FORMAT = "pinkcnn-export/1";
    /** How pixels become the model's input, in words (ONNX metadata property "input_scaling"). */
    public static final String SCALING = "x = pixel / 127.5 - 1: RGB pixels 0..255 to [-1, 1], NHWC float32";

    private static final ObjectMapper JSON = JsonMapper.builder().enable(JsonWriteFeature.ESCAPE_NON_ASCII).build();

    private final Map<String, Object> root = new LinkedHashMap<>();

    private ExportSpec(String kind) {
        root.put("format", FORMAT);
        root.put("kind", kind);
    }

    /** A whole classifier: backbone up to the cut, the head, softmax. */
    public static ExportSpec classifier(List<String> classes, int size, String crop, double cropFraction) {
        ExportSpec s = new ExportSpec("classifier");
        s.root.put("classes", List.copyOf(classes));
        s.root.put("input", input(size));
        Map<String, Object> prep = new LinkedHashMap<>();
        prep.put("crop", crop);
        prep.put("crop_fraction", cropFraction);
        prep.put("size", size);
        prep.put("description", preprocessing(size, crop, cropFraction));
        s.root.put("preprocessing", prep);
        return s;
    }

    /** A bare backbone. */
    public static ExportSpec backbone(int size) {
        ExportSpec s = new ExportSpec("backbone");
        s.root.put("input", input(size));
        return s;
    }

    private static Map<String, Object> input(int size) {
        Map<String, Object> in = new LinkedHashMap<>();
        in.put("name", "input");
        in.put("layout", "NHWC");
        in.put("shape", List.of("N", size, size, 3));
        in.put("dtype", "float32");
        in.put("channels", "RGB");
        in.put("scale", (double) FeatureExtractor.PIXEL_SCALE);
        in.put("offset", (double) FeatureExtractor.PIXEL_OFFSET);
        in.put("scaling", SCALING);
        return in;
    }

    /** The crop and resize that happen before the model, in words. */
    public static String preprocessing(int size, String crop, double cropFraction) {
        if (crop.equals("face")) {
            return "find the faces with face-api.js' SSD MobileNetV1 (pinkcnn detect) and crop a square around one: the box's "
                    + "longer side grown on each side by the face margin of the run's run.json, resampled to " + size + "x"
                    + size + " RGB with an anti-aliased (area-weighted bilinear) filter";
        }
        String square = crop.equals("center")
                ? "then the largest centred square of that"
                : "then the whole of that squeezed into a square";
        return "keep the central " + cropFraction + " of the photo's width and height, " + square
                + ", resampled to " + size + "x" + size + " RGB with an anti-aliased (area-weighted bilinear) filter";
    }

    public ExportSpec backboneLayers(String architecture, double alpha, String lastLayer, int[] lastShape) {
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("architecture", architecture);
        b.put("alpha", alpha);
        b.put("last_layer", lastLayer);
        b.put("last_shape", List.of(lastShape[1], lastShape[2], lastShape[3]));
        root.put("backbone", b);
        return this;
    }

    /** The layers after the cut, in order; the class probabilities are a softmax of the last one. */
    public ExportSpec head(List<Layer> layers, int hostGrid) {
        List<Map<String, Object>> out = new ArrayList<>();
        // A frozen run pooled its cached features on the host; in the exported model that pooling is a layer.
        if (hostGrid > 0) out.add(layer("GridAveragePooling2D", "grid_average_pooling2d", "grid", hostGrid));
        for (Layer l : layers) out.add(describe(l));
        root.put("head", out);
        return this;
    }

    public ExportSpec output(String name, List<Object> shape, String description) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("name", name);
        o.put("shape", shape);
        o.put("description", description);
        root.put("output", o);
        return this;
    }

    public ExportSpec put(String key, Object value) {
        root.put(key, value);
        return this;
    }

    public Map<String, Object> asMap() {
        return root;
    }

    public String toJson() {
        return json(root);
    }

    /** Any value as ASCII JSON. */
    public static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, Object> describe(Layer l) {
        if (l instanceof GridAveragePool2d g) return layer("GridAveragePooling2D", l.name(), "grid", g.grid());
        if (l instanceof GlobalAveragePool2d) return layer("GlobalAveragePooling2D", l.name());
        if (l instanceof Flatten) return layer("Flatten", l.name());
        if (l instanceof Dropout d) return layer("Dropout", l.name(), "rate", (double) d.rate());
        if (l instanceof MaxPool2d p) {
            return layer("MaxPooling2D", l.name(), "pool_size", p.pool(), "strides", p.stride(), "padding", p.padding());
        }
        if (l instanceof Dense d) {
            int[] k = d.kernel().shape();
            return layer("Dense", l.name(), "units", d.units(), "activation", d.relu() ? "relu" : "linear",
                    "kernel_shape", List.of(k[0], k[1]), "bias_shape", List.of(k[1]));
        }
        throw new UserError("cannot export head layer " + l.name() + " (" + l.getClass().getSimpleName() + "): not a layer the exporter knows");
    }

    private static Map<String, Object> layer(String type, String name, Object... keyValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", type);
        m.put("name", name);
        for (int i = 0; i < keyValues.length; i += 2) m.put((String) keyValues[i], keyValues[i + 1]);
        return m;
    }
}
