package pinkcnn.trainer.cam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import pinkcnn.engine.backend.Backend;
import pinkcnn.engine.cpu.CpuBackend;
import pinkcnn.engine.nn.Graph;
import pinkcnn.engine.nn.Layer;
import pinkcnn.engine.nn.Parameter;
import pinkcnn.engine.reference.Lcg;
import pinkcnn.engine.reference.SharedData;
import pinkcnn.kernels.OpenClBackend;
import pinkcnn.kernels.OpenClUnavailableException;
import pinkcnn.trainer.train.Backbones;
import pinkcnn.trainer.train.Classifier;
import pinkcnn.trainer.train.Head;
import pinkcnn.trainer.train.Heads;

/**
 * pinkcnn's Grad-CAM, Grad-CAM++ and HiResCAM against TF.js (tf.grad on the same MobileNetV2 weights and the same
 * head: {@code src/test/resources/reference/make_cam_fixtures.cjs}, whose header gives the recipe), at the layer the
 * head reads and at a layer inside the trained segment (the gradient then flows back through a residual block);
 * the same maps on the OpenCL backend.
 */
class CamReferenceTest {
    static JsonNode manifest;
    static float[] reference;
    static Path weights;
    /** pinkcnn's maps on the CPU backend, key image/layer/class/method (for the OpenCL comparison). */
    static final Map<String, float[]> cpuMaps = new LinkedHashMap<>();

    @BeforeAll
    static void load() throws IOException {
        weights = SharedData.mobilenetV2Weights();
        try (InputStream in = CamReferenceTest.class.getResourceAsStream("/reference/cam/manifest.json")) {
            manifest = new ObjectMapper().readTree(in);
        }
        try (InputStream in = CamReferenceTest.class.getResourceAsStream("/reference/cam/maps.f32")) {
            byte[] b = in.readAllBytes();
            reference = new float[b.length / 4];
            ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(reference);
        }
    }

    /** The fixture's model on a backend: MobileNetV2 at its size, cut, a grid pool on the host, flatten, dense. */
    static ClassActivationMaps model(Backend b) {
        int size = manifest.get("size").asInt(), classes = manifest.get("classes").asInt(), grid = manifest.get("grid").asInt();
        String cut = manifest.get("cut").asText();
        Graph backbone = Backbones.pretrained(b, 1.0, size, weights);
        int channels = backbone.outputShape(cut)[3];
        List<Layer> head = Heads.build(b, Head.LINEAR, new int[] {grid, grid, channels}, classes, 0f, 1);
        Parameter kernel = head.get(head.size() - 1).weights().get(0), bias = head.get(head.size() - 1).weights().get(1);
        kernel.load(scaled(Lcg.values(manifest.get("kernelSeed").asLong(), grid * grid * channels * classes),
                manifest.get("kernelScale").asDouble()));
        bias.load(scaled(Lcg.values(manifest.get("biasSeed").asLong(), classes), manifest.get("biasScale").asDouble()));
        Classifier model = new Classifier(backbone, cut, null, false, head, 0f);
        return new ClassActivationMaps(b, backbone, model, cut, grid, size);
    }

    /** As the script: float32(scale · v), the product in double. */
    private static float[] scaled(float[] v, double scale) {
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) out[i] = (float) (scale * v[i]);
        return out;
    }

    /** The script's inputs by name (its images() function). */
    static float[] image(String name, int size) {
        int n = size * size * 3;
        if (name.equals("lcg")) return Lcg.values(42, n);
        float[] out = new float[n];
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                for (int ch = 0; ch < 3; ch++) {
                    int i = (y * size + x) * 3 + ch;
                    if (name.equals("smooth")) {
                        out[i] = (float) (Math.sin(0.3 * y + 0.2 * x * (ch + 1)) * Math.cos(0.15 * (x - y) + ch));
                    } else {
                        double b1 = Math.exp(-((x - 30) * (x - 30) + (y - 36) * (y - 36)) / (2.0 * 12 * 12));
                        double b2 = Math.exp(-((x - 64) * (x - 64) + (y - 60) * (y - 60)) / (2.0 * 8 * 8));
                        out[i] = (float) (-1 + 1.5 * b1 + (0.5 + 0.25 * ch) * b2);
                    }
                }
            }
        }
        return out;
    }

    /** Every map of the fixture from a backend, by key. */
    static Map<String, float[]> maps(Backend b, Map<String, float[]> logitsOut) {
        ClassActivationMaps cams = model(b);
        int size = cams.inputSize();
        List<CamMethod> methods = new ArrayList<>();
        for (JsonNode m : manifest.get("methods")) methods.add(CamMethod.parse(m.asText()));
        Map<String, float[]> out = new LinkedHashMap<>();
        for (JsonNode image : manifest.get("images")) {
            String name = image.get("name").asText();
            float[] x = image(name, size);
            double sum = 0;
            for (float v : x) sum += v;
            assertEquals(image.get("inputSum").asDouble(), sum, 1e-6 * x.length, name + ": the input follows the script's recipe");
            for (JsonNode layer : image.get("layers")) {
                List<Integer> classes = new ArrayList<>();
                for (JsonNode m : layer.get("maps")) if (!classes.contains(m.get("class").asInt())) classes.add(m.get("class").asInt());
                int[][] wanted = {classes.stream().mapToInt(Integer::intValue).toArray()};
                for (ClassActivationMaps.Result r : cams.compute(x, 1, layer.get("layer").asText(), wanted, methods)) {
                    assertEquals(layer.get("shape").get(0).asInt(), r.height());
                    assertEquals(layer.get("shape").get(1).asInt(), r.width());
                    if (logitsOut != null) logitsOut.put(name, r.probabilities());
                    for (CamMethod m : methods) out.put(key(name, r.layer(), r.classIndex(), m.id()), r.maps().get(m));
                }
            }
        }
        for (Layer l : cams.backbone().layers()) for (Parameter p : l.weights()) {
            assertNull(p.value().gradArray(), l.name() + ": no weight receives a gradient");
        }
        return out;
    }

    static String key(String image, String layer, int cls, String method) {
        return image + "/" + layer + "/" + cls + "/" + method;
    }

    @Test
    void mapsAgreeWithTfjs() {
        Map<String, float[]> probabilities = new LinkedHashMap<>();
        try (CpuBackend cpu = new CpuBackend(2)) {
            cpuMaps.putAll(maps(cpu, probabilities));
        }
        Map<String, Double> worst = new LinkedHashMap<>(), worstRelative = new LinkedHashMap<>();
        for (JsonNode image : manifest.get("images")) {
            String name = image.get("name").asText();
            JsonNode logits = image.get("logits");
            float[] z = new float[logits.size()];
            for (int c = 0; c < z.length; c++) z[c] = (float) logits.get(c).asDouble();
            float[] expected = ClassActivationMaps.softmax(z, 0, z.length), actual = probabilities.get(name);
            for (int c = 0; c < z.length; c++) assertEquals(expected[c], actual[c], 1e-5, name + " probability of class " + c);
            for (JsonNode layer : image.get("layers")) {
                int hw = layer.get("shape").get(0).asInt() * layer.get("shape").get(1).asInt();
                for (JsonNode m : layer.get("maps")) {
                    String method = m.get("method").asText(), k = key(name, layer.get("layer").asText(), m.get("class").asInt(), method);
                    float[] mine = cpuMaps.get(k);
                    int offset = m.get("offset").asInt();
                    double refMax = 0;
                    for (int p = 0; p < hw; p++) refMax = Math.max(refMax, Math.abs(reference[offset + p]));
                    for (int p = 0; p < hw; p++) {
                        double ref = reference[offset + p], diff = Math.abs(mine[p] - ref);
                        assertTrue(diff <= 1e-4 * Math.max(1, Math.abs(ref)),
                                k + " at " + p + ": pinkcnn " + mine[p] + ", TF.js " + ref);
                        worst.merge(method, diff, Math::max);
                        if (refMax > 0) worstRelative.merge(method, diff / refMax, Math::max);
                    }
                }
            }
        }
        for (String m : worst.keySet()) {
            System.out.printf(Locale.ROOT, "CamReferenceTest: %-10s max |pinkcnn − TF.js| %.3g, %.3g of the map's maximum%n",
                    m, worst.get(m), worstRelative.get(m));
            // tighter than the absolute bound where maps are small: within 1e-3 of each map's own scale
            assertTrue(worstRelative.get(m) < 1e-3, m + ": " + worstRelative.get(m) + " of the map's maximum");
        }
    }

    @Test
    void openClMapsAgreeWithCpu() {
        OpenClBackend cl;
        try {
            cl = OpenClBackend.open("opencl");
        } catch (OpenClUnavailableException e) {
            // as the kernels module's tests: a skip, unless CI asks for OpenCL (PINKCNN_REQUIRE_OPENCL=1)
            if ("1".equals(System.getenv("PINKCNN_REQUIRE_OPENCL"))) {
                org.junit.jupiter.api.Assertions.fail("PINKCNN_REQUIRE_OPENCL=1 but no OpenCL device is usable: " + e.getMessage());
            }
            org.junit.jupiter.api.Assumptions.abort("no OpenCL device, skipped (set PINKCNN_REQUIRE_OPENCL=1 to fail instead): " + e.getMessage());
            return;
        }
        Map<String, float[]> cpu;
        try (CpuBackend c = new CpuBackend(2)) {
            cpu = maps(c, null);
        }
        Map<String, float[]> opencl;
        try (cl) {
            opencl = maps(cl, null);
        }
        double worst = 0;
        for (var e : cpu.entrySet()) {
            float[] a = e.getValue(), b = opencl.get(e.getKey());
            for (int p = 0; p < a.length; p++) {
                double diff = Math.abs(a[p] - b[p]);
                worst = Math.max(worst, diff);
                assertTrue(diff <= 1e-4 * Math.max(1, Math.abs(a[p])), e.getKey() + " at " + p + ": cpu " + a[p] + ", opencl " + b[p]);
            }
        }
        System.out.printf(Locale.ROOT, "CamReferenceTest: max |cpu − opencl| %.3g over %d maps%n", worst, cpu.size());
    }
}
