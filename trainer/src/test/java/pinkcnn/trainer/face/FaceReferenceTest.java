package pinkcnn.trainer.face;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import pinkcnn.engine.Autograd;
import pinkcnn.engine.Tensor;
import pinkcnn.engine.TensorScope;
import pinkcnn.engine.backend.Backend;
import pinkcnn.engine.cpu.CpuBackend;
import pinkcnn.engine.nn.Graph;
import pinkcnn.kernels.OpenClBackend;
import pinkcnn.kernels.OpenClUnavailableException;
import pinkcnn.trainer.data.RgbImage;

/**
 * pinkcnn's face detector against face-api.js itself (reference/faces/manifest.json, made by
 * make_face_fixtures.cjs from the same pictures): every recorded activation within 1e-4·max(1, max |face-api|) of
 * its layer, the best anchors' scores within 1e-4 and boxes within one pixel, and the same faces found, with boxes
 * within one pixel — on the CPU backend and on OpenCL.
 */
class FaceReferenceTest {
    private static JsonNode manifest;
    private static Path weights;
    private static Map<String, RgbImage> scenes;

    @BeforeAll
    static void load() throws IOException {
        Path lfw = FaceTestData.requireLfw();
        weights = FaceTestData.requireDetector();
        try (InputStream in = FaceReferenceTest.class.getResourceAsStream("/reference/faces/manifest.json")) {
            manifest = new ObjectMapper().readTree(in);
        }
        scenes = new HashMap<>();
        for (FaceScenes.Scene s : FaceScenes.SCENES) scenes.put(s.name(), FaceScenes.render(s, lfw));
    }

    @Test
    void matchesFaceApiOnTheCpu() {
        try (CpuBackend cpu = new CpuBackend(0)) {
            compare(cpu);
        }
    }

    @Test
    void matchesFaceApiOnOpenCl() {
        OpenClBackend cl;
        try {
            cl = OpenClBackend.open("opencl");
        } catch (OpenClUnavailableException e) {
            // as the kernels module's tests: a skip, unless CI asks for OpenCL (PINKCNN_REQUIRE_OPENCL=1)
            if ("1".equals(System.getenv("PINKCNN_REQUIRE_OPENCL"))) fail("PINKCNN_REQUIRE_OPENCL=1 but " + e.getMessage());
            org.junit.jupiter.api.Assumptions.assumeTrue(false, "no OpenCL device: " + e.getMessage());
            return;
        }
        try (cl) {
            compare(cl);
        }
    }

    private void compare(Backend backend) {
        FaceDetector detector = FaceDetector.load(backend, weights, manifest.get("min_confidence").asDouble());
        Graph g = detector.graph();
        assertEquals(manifest.get("scenes").size(), scenes.size(), "scenes in the fixtures");
        double worstLayer = 0, worstBox = 0, worstScore = 0;
        for (JsonNode scene : manifest.get("scenes")) {
            String name = scene.get("name").asText();
            RgbImage photo = scenes.get(name);
            assertEquals(scene.get("sha256").asText(), FaceScenes.sha256(photo.rgb()),
                    name + ": the picture differs from the one the fixtures were made from (another JPEG decoder?)");
            FaceDetector.Input input = FaceDetector.input(photo);
            JsonNode layers = scene.get("layers");
            worstLayer = Math.max(worstLayer, check(name + " input", layers.get("input"), input.pixels()));

            Set<String> keep = new HashSet<>(detector.outputLayers());
            layers.fieldNames().forEachRemaining(keep::add);
            keep.remove("input");
            FaceDetector.Raw raw;
            try (TensorScope scope = TensorScope.open(); Autograd.AutoCloseableNoThrow ng = Autograd.noGrad()) {
                Map<String, Tensor> out = g.run(Map.of(Graph.INPUT, Tensor.of(backend, input.pixels(), 1, 512, 512, 3)), 0,
                        g.nodes().size() - 1, keep);
                for (String layer : keep) {
                    if (!layers.has(layer)) continue;
                    worstLayer = Math.max(worstLayer, check(name + " " + layer, layers.get(layer), out.get(layer).toArray()));
                }
                raw = detector.decode(out, 1);
            }
            double side = Math.max(photo.width(), photo.height());
            for (JsonNode a : scene.get("top_anchors")) {
                int i = a.get("anchor").asInt();
                double ds = Math.abs(raw.scores()[0][i] - a.get("score").asDouble());
                worstScore = Math.max(worstScore, ds);
                assertTrue(ds <= 1e-4, name + " anchor " + i + ": score " + raw.scores()[0][i] + ", face-api " + a.get("score"));
                for (int k = 0; k < 4; k++) {
                    double d = Math.abs(raw.boxes()[0][4 * i + k] - a.get("box").get(k).asDouble()) * side;
                    worstBox = Math.max(worstBox, d);
                    assertTrue(d <= 1, name + " anchor " + i + " box coordinate " + k + " off by " + d + " px");
                }
            }

            List<Face> faces = detector.faces(raw, 0, input);
            JsonNode expected = scene.get("faces");
            assertEquals(expected.size(), faces.size(), name + ": faces found " + faces);
            for (int f = 0; f < faces.size(); f++) {
                Face face = faces.get(f);
                double[] box = {face.x0(), face.y0(), face.x1(), face.y1()};
                for (int k = 0; k < 4; k++) {
                    double d = Math.abs(box[k] - expected.get(f).get("box").get(k).asDouble());
                    worstBox = Math.max(worstBox, d);
                    assertTrue(d <= 1, name + " face " + f + ": " + face + ", face-api " + expected.get(f));
                }
                assertEquals(expected.get(f).get("score").asDouble(), face.score(), 1e-4, name + " face " + f);
            }
        }
        System.out.printf(Locale.ROOT, "FaceReferenceTest (%s): worst activation difference %.3g of the tolerance, boxes %.3g px, "
                + "scores %.3g%n", backend.name(), worstLayer, worstBox, worstScore);
    }

    /** Checks statistics and samples of one layer; returns the worst difference as a fraction of the tolerance. */
    private static double check(String what, JsonNode ref, float[] actual) {
        double max = Math.max(Math.abs(ref.get("min").asDouble()), Math.abs(ref.get("max").asDouble()));
        double tol = 1e-4 * Math.max(1, max);
        long n = 1;
        for (JsonNode d : ref.get("shape")) n *= d.asLong();
        assertEquals(n, actual.length, what + ": size");
        double sum = 0, abs = 0;
        for (float v : actual) {
            sum += v;
            abs += Math.abs(v);
        }
        double worst = Math.abs(sum / n - ref.get("mean").asDouble());
        assertTrue(worst <= tol, what + ": mean " + sum / n + ", face-api " + ref.get("mean"));
        worst = Math.max(worst, Math.abs(abs / n - ref.get("mean_abs").asDouble()));
        assertTrue(worst <= tol, what + ": mean |x| " + abs / n + ", face-api " + ref.get("mean_abs"));
        for (Iterator<JsonNode> it = ref.get("samples").elements(); it.hasNext(); ) {
            JsonNode s = it.next();
            int i = s.get(0).asInt();
            double d = Math.abs(actual[i] - s.get(1).asDouble());
            worst = Math.max(worst, d);
            assertTrue(d <= tol, what + " at " + i + ": " + actual[i] + ", face-api " + s.get(1) + " (tolerance " + tol + ")");
        }
        return worst / tol;
    }
}
