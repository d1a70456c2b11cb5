package pinkcnn.engine.reference;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import pinkcnn.engine.io.JsLiteral;

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
        String text = new String(resource(caseName + "/manifest.json"), StandardCharsets.UTF_8);
        Map<String, Object> m = JsLiteral.object(JsLiteral.parse(text), "manifest");
        Map<String, Object> input = JsLiteral.object(m.get("input"), "input");
        Map<String, LayerReference> layers = new LinkedHashMap<>();
        for (Object o : JsLiteral.array(m.get("layers"), "layers")) {
            Map<String, Object> l = JsLiteral.object(o, "layer");
            String layerName = JsLiteral.string(l.get("name"), "name");
            List<Object> samplePairs = JsLiteral.array(l.get("samples"), "samples");
            long[] indices = new long[samplePairs.size()];
            float[] values = new float[samplePairs.size()];
            for (int i = 0; i < indices.length; i++) {
                List<Object> pair = JsLiteral.array(samplePairs.get(i), "sample");
                indices[i] = (long) JsLiteral.number(pair.get(0), "sample index");
                values[i] = (float) JsLiteral.number(pair.get(1), "sample value");
            }
            String file = l.get("file") == null ? null : caseName + "/" + JsLiteral.string(l.get("file"), "file");
            layers.put(layerName, new LayerReference(layerName, JsLiteral.intArray(l.get("shape"), "shape"), file,
                    JsLiteral.number(l.get("sum"), "sum"), JsLiteral.number(l.get("sumAbs"), "sumAbs"),
                    JsLiteral.number(l.get("min"), "min"), JsLiteral.number(l.get("max"), "max"),
                    JsLiteral.number(l.get("maxAbs"), "maxAbs"), indices, values));
        }
        String inputFile = input.get("file") == null ? null : caseName + "/" + input.get("file");
        return new ReferenceCase(caseName, JsLiteral.string(m.get("description"), "description"),
                JsLiteral.intArray(input.get("shape"), "input shape"), inputFile, Collections.unmodifiableMap(layers));
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
