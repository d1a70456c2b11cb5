package pinkcnn.engine.reference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One case of the MobileNetV2 reference fixtures (src/test/resources/reference/mobilenet_v2/, made by
 * make_fixtures.cjs with TF.js): an input and, for every named layer up to out_relu, its output shape, statistics and
 * sampled values, and for some layers the full output.
 *
 * <pre>
 * ReferenceCase ref = ReferenceCase.load(ReferenceCase.LCG_64);
 * float[] x = ref.input().data();                       // 1×64×64×3
 * for (LayerReference layer : ref.layersWithFullOutput()) {
 *     float[] mine = …output of layer.name()…;
 *     LayerReference.Comparison c = layer.compare(mine);  // max |mine − reference| ≤ 1e-4·max(1, max|reference|)
 *     assertTrue(c.passes(), c.toString());
 * }
 * </pre>
 * Fixtures are read from the classpath, so other modules' tests (through the engine test-jar) read them too.
 */
public final class ReferenceCase {

    /** 1×64×64×3 LCG input (seed 42): full outputs of every block and of the first blocks' inner layers. */
    public static final String LCG_64 = "lcg64";
    /** 2×48×48×3: a smooth pattern and an LCG input (seed 7) in one batch: full outputs of every block. */
    public static final String BATCH2_48 = "batch2_48";
    /** 1×224×224×3 LCG input (seed 42, as ../shared/reference/random_lcg): statistics and samples only. */
    public static final String LCG_224 = "lcg224";

    public static final List<String> ALL = List.of(LCG_64, BATCH2_48, LCG_224);

    private static final String ROOT = "/reference/mobilenet_v2/";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String name;
    private final String description;
    private final int[] inputShape;
    private final String inputFile;
    private final Map<String, LayerReference> layers;

    private ReferenceCase(String name, String description, int[] inputShape, String inputFile,
                          Map<String, LayerReference> layers) {
        this.name = name;
        this.description = description;
        this.inputShape = inputShape;
        this.inputFile = inputFile;
        this.layers = layers;
    }

    public static ReferenceCase load(String caseName) {
        JsonNode m;
        try {
            m = JSON.readTree(resource(caseName + "/manifest.json"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        JsonNode input = m.get("input");
        Map<String, LayerReference> layers = new LinkedHashMap<>();
        for (JsonNode l : m.get("layers")) {
            String layerName = l.get("name").asText();
            JsonNode samplePairs = l.get("samples");
            long[] indices = new long[samplePairs.size()];
            float[] values = new float[samplePairs.size()];
            for (int i = 0; i < indices.length; i++) {
                JsonNode pair = samplePairs.get(i);
                indices[i] = pair.get(0).asLong();
                values[i] = (float) pair.get(1).asDouble();
            }
            String file = l.hasNonNull("file") ? caseName + "/" + l.get("file").asText() : null;
            layers.put(layerName, new LayerReference(layerName, ints(l.get("shape")), file,
                    l.get("sum").asDouble(), l.get("sumAbs").asDouble(), l.get("min").asDouble(),
                    l.get("max").asDouble(), l.get("maxAbs").asDouble(), indices, values));
        }
        String inputFile = input.hasNonNull("file") ? caseName + "/" + input.get("file").asText() : null;
        return new ReferenceCase(caseName, m.get("description").asText(), ints(input.get("shape")), inputFile,
                Collections.unmodifiableMap(layers));
    }

    /** A JSON array of whole numbers (a shape). */
    static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            if (!array.get(i).canConvertToExactIntegral()) throw new IllegalArgumentException("not a shape: " + array);
            out[i] = array.get(i).asInt();
        }
        return out;
    }

    public String name() {
        return name;
    }

    public String description() {
        return description;
    }

    /** N, H, W, C of the input. */
    public int[] inputShape() {
        return inputShape.clone();
    }

    /** The input: stored, or (lcg224) regenerated from the LCG recipe. */
    public Activation input() {
        if (inputFile != null) return new Activation(inputShape.clone(), floats(inputFile));
        if (name.equals(LCG_224)) return new Activation(inputShape.clone(), Lcg.image(42, 224, 224, 3));
        throw new IllegalStateException(name + " has no input");
    }

    /** Every named layer from Conv1_pad to out_relu, in model order. */
    public List<LayerReference> layers() {
        return List.copyOf(layers.values());
    }

    public List<LayerReference> layersWithFullOutput() {
        List<LayerReference> out = new ArrayList<>();
        for (LayerReference l : layers.values()) if (l.hasFullOutput()) out.add(l);
        return out;
    }

    public LayerReference layer(String layerName) {
        LayerReference l = layers.get(layerName);
        if (l == null) throw new IllegalArgumentException(name + " has no layer " + layerName);
        return l;
    }

    static byte[] resource(String relative) {
        try (InputStream in = ReferenceCase.class.getResourceAsStream(ROOT + relative)) {
            if (in == null) throw new IllegalStateException("missing test resource " + ROOT + relative);
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A little-endian float32 resource. */
    static float[] floats(String relative) {
        byte[] bytes = resource(relative);
        float[] out = new float[bytes.length / 4];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
        return out;
    }

    @Override
    public String toString() {
        return name + " (" + description + ")";
    }
}
