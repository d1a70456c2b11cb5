package pinkcnn.engine.reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The committed TF.js fixtures are consistent, reproducible from their recipes, and agree with ../shared. */
class ReferenceFixturesTest {

    @Test
    void fullOutputsAgreeWithTheirStatisticsAndSamples() {
        for (String name : ReferenceCase.ALL) {
            ReferenceCase ref = ReferenceCase.load(name);
            assertEquals("Conv1_pad", ref.layers().get(0).name(), name);
            assertEquals("out_relu", ref.layers().get(ref.layers().size() - 1).name(), name);
            assertEquals(154, ref.layers().size(), name); // Keras MobileNetV2 without top, input layer excluded
            for (LayerReference layer : ref.layersWithFullOutput()) {
                float[] data = layer.fullOutput().data();
                assertEquals(layer.size(), data.length, layer.name());
                double sum = 0;
                float mn = Float.POSITIVE_INFINITY;
                float mx = Float.NEGATIVE_INFINITY;
                for (float v : data) {
                    sum += v;
                    mn = Math.min(mn, v);
                    mx = Math.max(mx, v);
                }
                assertEquals(layer.min(), mn, 0.0, layer.name());
                assertEquals(layer.max(), mx, 0.0, layer.name());
                assertEquals(layer.sum(), sum, 1e-9 * layer.sumAbs() + 1e-9, layer.name());
                long[] idx = layer.sampleIndices();
                float[] val = layer.sampleValues();
                for (int i = 0; i < idx.length; i++) assertEquals(val[i], data[(int) idx[i]], 0.0f, layer.name());
                assertTrue(layer.compare(data).passes(), layer.name());
            }
        }
    }

    @Test
    void storedInputsFollowTheirRecipes() {
        assertArrayEquals(Lcg.image(42, 64, 64, 3), ReferenceCase.load(ReferenceCase.LCG_64).input().data());

        ReferenceCase batch = ReferenceCase.load(ReferenceCase.BATCH2_48);
        assertArrayEquals(new int[] {2, 48, 48, 3}, batch.inputShape());
        float[] x = batch.input().data();
        int image = 48 * 48 * 3;
        assertArrayEquals(Lcg.image(7, 48, 48, 3), Arrays.copyOfRange(x, image, 2 * image));
        for (int y = 0; y < 48; y++) {
            for (int c = 0; c < 48; c++) {
                for (int ch = 0; ch < 3; ch++) {
                    double smooth = Math.sin(0.3 * y + 0.2 * c * (ch + 1)) * Math.cos(0.15 * (c - y) + ch);
                    assertEquals(smooth, x[(y * 48 + c) * 3 + ch], 1e-6);
                }
            }
        }
    }

    @Test
    void lcg224AgreesWithTheSharedReference() throws IOException {
        Path dir = SharedData.require("reference/random_lcg");
        ReferenceCase ref = ReferenceCase.load(ReferenceCase.LCG_224);
        assertArrayEquals(readF32(dir.resolve("input.f32")), ref.input().data());

        for (String layer : List.of("Conv1_relu", "expanded_conv_project_BN", "block_1_pad", "block_1_depthwise_relu",
                "block_16_project_BN", "out_relu")) {
            float[] shared = readF32(dir.resolve(layer + ".f32"));
            LayerReference.Comparison c = ref.layer(layer).compare(shared);
            assertTrue(c.passes(), c.toString());
            long[] idx = ref.layer(layer).sampleIndices();
            float[] val = ref.layer(layer).sampleValues();
            for (int i = 0; i < idx.length; i++) assertEquals(val[i], shared[(int) idx[i]], 0.0f, layer);
        }

        JsonNode stats = new ObjectMapper().readTree(dir.resolve("activations.json").toFile()).get("random_lcg");
        int compared = 0;
        for (LayerReference layer : ref.layers()) {
            if (!stats.has(layer.name())) continue;
            JsonNode s = stats.get(layer.name());
            assertArrayEquals(ReferenceCase.ints(s.get("shape")), layer.shape(), layer.name());
            assertEquals(s.get("min").asDouble(), layer.min(), 1e-6, layer.name());
            assertEquals(s.get("max").asDouble(), layer.max(), 1e-6, layer.name());
            assertEquals(s.get("sum").asDouble(), layer.sum(), 1e-6 * layer.sumAbs(), layer.name());
            compared++;
        }
        assertTrue(compared >= 20, "layers compared with activations.json: " + compared);
    }

    @Test
    void comparisonFailsOnAWrongOutput() {
        ReferenceCase ref = ReferenceCase.load(ReferenceCase.LCG_64);
        LayerReference layer = ref.layer("block_3_project_BN");
        float[] data = layer.fullOutput().data();
        assertTrue(layer.compare(data).passes());

        float[] off = data.clone();
        off[1234] += (float) (2 * layer.tolerance());
        LayerReference.Comparison c = layer.compare(off);
        assertFalse(c.passes(), c.toString());
        assertEquals(1234, c.worstIndex());

        float[] nan = data.clone();
        nan[7] = Float.NaN;
        assertFalse(layer.compare(nan).passes());
        assertFalse(layer.compare(Arrays.copyOf(data, data.length - 1)).passes());

        // A statistics-only layer: a wrong sampled element, or a shifted whole tensor, fails too.
        LayerReference stats = ReferenceCase.load(ReferenceCase.LCG_224).layer("block_16_project_BN");
        float[] fake = new float[(int) stats.size()];
        assertFalse(stats.compare(fake).passes());
    }

    private static float[] readF32(Path file) throws IOException {
        byte[] b = Files.readAllBytes(file);
        float[] out = new float[b.length / 4];
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
        return out;
    }
}
