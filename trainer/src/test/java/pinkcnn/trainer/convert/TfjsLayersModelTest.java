package pinkcnn.trainer.convert;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pinkcnn.engine.io.KerasWeights;
import pinkcnn.engine.io.KerasWeightsTest;
import pinkcnn.engine.io.Weight;
import pinkcnn.engine.io.WeightFileException;

class TfjsLayersModelTest {

    @TempDir
    Path dir;

    private static final String TOPOLOGY = """
            {"keras_version": "2.2.4", "backend": "tensorflow", "model_config": {"class_name": "Model", "config": {
              "name": "m", "layers": [
                {"name": "input_1", "class_name": "InputLayer", "config": {"name": "input_1", "batch_input_shape": [null, 8, 8, 2]}},
                {"name": "conv", "class_name": "Conv2D", "config": {"name": "conv"}},
                {"name": "bn", "class_name": "BatchNormalization", "config": {"name": "bn"}},
                {"name": "relu", "class_name": "ReLU", "config": {"name": "relu"}},
                {"name": "dense", "class_name": "Dense", "config": {"name": "dense"}}],
              "input_layers": [["input_1", 0, 0]], "output_layers": [["dense", 0, 0]]}}}""";

    /** Group 1 spans two shard files (split inside a weight); bn/beta is listed before bn/gamma. */
    private static final String MANIFEST = """
            [{"paths": ["group1-shard1of2.bin", "group1-shard2of2.bin"], "weights": [
               {"name": "conv/kernel", "shape": [1, 1, 2, 3], "dtype": "float32"},
               {"name": "conv/bias", "shape": [3], "dtype": "float32",
                "quantization": {"dtype": "uint8", "scale": 0.5, "min": -2}},
               {"name": "bn/beta", "shape": [3], "dtype": "float32", "quantization": {"dtype": "float16"}},
               {"name": "bn/gamma", "shape": [3], "dtype": "float32",
                "quantization": {"dtype": "uint16", "scale": 0.25, "min": 1}}]},
             {"paths": ["group2-shard1of1.bin"], "weights": [
               {"name": "bn/moving_mean", "shape": [3], "dtype": "float32"},
               {"name": "bn/moving_variance", "shape": [3], "dtype": "float32"},
               {"name": "dense/kernel", "shape": [3, 2], "dtype": "float32",
                "quantization": {"dtype": "uint8", "scale": 0.1, "min": -1}},
               {"name": "dense/bias", "shape": [2], "dtype": "float32"}]}]""";

    private static final float[] KERNEL = {0.5f, -1.25f, 3f, 1e-3f, -7f, 2f};
    private Path modelJson;

    @BeforeEach
    void writeModel() throws IOException {
        ByteArrayOutputStream g1 = new ByteArrayOutputStream();
        g1.write(f32(KERNEL));
        g1.write(new byte[] {0, 4, (byte) 255});                       // conv/bias uint8
        g1.write(u16(0x3C00, 0xC000, 0x3555));                         // bn/beta float16: 1, -2, 0.333251953125
        g1.write(u16(0, 1, 65535));                                    // bn/gamma uint16
        byte[] group1 = g1.toByteArray();
        Files.write(dir.resolve("group1-shard1of2.bin"), Arrays.copyOfRange(group1, 0, 20));
        Files.write(dir.resolve("group1-shard2of2.bin"), Arrays.copyOfRange(group1, 20, group1.length));

        ByteArrayOutputStream g2 = new ByteArrayOutputStream();
        g2.write(f32(new float[] {0.1f, 0.2f, 0.3f}));
        g2.write(f32(new float[] {1f, 2f, 0f}));
        g2.write(new byte[] {0, 1, 2, 3, 4, 5});                       // dense/kernel uint8
        g2.write(f32(new float[] {-0.5f, 0.25f}));
        Files.write(dir.resolve("group2-shard1of1.bin"), g2.toByteArray());

        modelJson = dir.resolve("model.json");
        writeJson(TOPOLOGY, MANIFEST);
    }

    @Test
    void decodesEveryStorageTypeInKerasOrder() throws IOException {
        TfjsLayersModel model = TfjsLayersModel.read(modelJson);
        assertEquals(List.of("input_1", "conv", "bn", "relu", "dense"), model.layerNames());
        assertEquals("BatchNormalization", model.layerClass("bn"));
        assertEquals(Map.of("float32", 4, "float32 as uint8", 2, "float32 as float16", 1, "float32 as uint16", 1),
                model.storedDtypeCounts());

        KerasWeights w = model.toKerasWeights();
        assertEquals(List.of("input_1", "conv", "bn", "relu", "dense"), w.layerNames());
        assertEquals("2.2.4", w.kerasVersion());
        assertTrue(w.weights("input_1").isEmpty() && w.weights("relu").isEmpty());
        assertEquals(List.of("kernel:0", "bias:0"), names(w, "conv"));
        assertEquals(List.of("gamma:0", "beta:0", "moving_mean:0", "moving_variance:0"), names(w, "bn"));
        assertArrayEquals(new int[] {1, 1, 2, 3}, w.weight("conv", "kernel:0").shape());
        assertArrayEquals(KERNEL, w.weight("conv", "kernel:0").data());
        assertArrayEquals(new float[] {-2f, 0f, 125.5f}, w.weight("conv", "bias:0").data());      // min + scale·q
        assertArrayEquals(new float[] {1f, -2f, 0.333251953125f}, w.weight("bn", "beta:0").data());
        assertArrayEquals(new float[] {1f, 1.25f, 16384.75f}, w.weight("bn", "gamma:0").data());
        assertArrayEquals(new float[] {1f, 2f, 0f}, w.weight("bn", "moving_variance:0").data());
        assertArrayEquals(new float[] {-1f, -0.9f, -0.8f, -0.7f, -0.6f, -0.5f}, w.weight("dense", "kernel:0").data());
        assertArrayEquals(new float[] {-0.5f, 0.25f}, w.weight("dense", "bias:0").data());
    }

    @Test
    void keepsTheLayersUpToOneAndRoundTripsThroughHdf5() throws IOException {
        KerasWeights w = TfjsLayersModel.read(modelJson).toKerasWeights("relu");
        assertEquals(List.of("input_1", "conv", "bn", "relu"), w.layerNames());
        assertEquals(6 + 3 + 4 * 3, w.parameterCount());
        Path h5 = dir.resolve("out.h5");
        w.write(h5);
        KerasWeightsTest.assertIdentical(w, KerasWeights.read(h5));
        assertThrows(IllegalArgumentException.class, () -> TfjsLayersModel.read(modelJson).toKerasWeights("nope"));
    }

    @Test
    void refusesBrokenModels() throws IOException {
        Path shard = dir.resolve("group1-shard2of2.bin");
        byte[] bytes = Files.readAllBytes(shard);

        Files.write(shard, Arrays.copyOf(bytes, bytes.length - 1));
        assertMessage("weight shards too short: bn/gamma needs 6 more bytes, 5 are left");

        Files.write(shard, Arrays.copyOf(bytes, bytes.length + 4));
        assertMessage("hold 4 bytes more than the manifest describes");

        Files.delete(shard);
        assertMessage("weight shard group1-shard2of2.bin is missing");
        Files.write(shard, bytes);

        writeJson(TOPOLOGY, MANIFEST.replace("\"dense/bias\"", "\"dense_9/bias\""));
        assertMessage("weight dense_9/bias belongs to no layer of the topology");

        writeJson(TOPOLOGY, MANIFEST.replace("\"name\": \"dense/bias\", \"shape\": [2], \"dtype\": \"float32\"",
                "\"name\": \"dense/bias\", \"shape\": [2], \"dtype\": \"int32\""));
        assertMessage("weight dense/bias has dtype int32; only float32 weights convert");

        Files.writeString(modelJson, "{\"format\": \"graph-model\", \"modelTopology\": {}}");
        assertMessage("a TF.js graph model");

        Files.writeString(modelJson, "<html>not found</html>");
        assertMessage("not JSON");
    }

    @Test
    void halfPrecisionWidensExactly() {
        assertEquals(65504f, TfjsWeightDecoder.halfToFloat(0x7BFF));
        assertEquals(0x1p-24f, TfjsWeightDecoder.halfToFloat(0x0001));
        assertEquals(0x1p-14f, TfjsWeightDecoder.halfToFloat(0x0400));
        assertEquals(Float.floatToIntBits(-0f), Float.floatToIntBits(TfjsWeightDecoder.halfToFloat(0x8000)));
        assertEquals(Float.NEGATIVE_INFINITY, TfjsWeightDecoder.halfToFloat(0xFC00));
        assertTrue(Float.isNaN(TfjsWeightDecoder.halfToFloat(0x7E00)));
        for (int h = 0; h < 0x10000; h++) {
            int exponent = (h >>> 10) & 0x1f;
            int mantissa = h & 0x3ff;
            if (exponent == 31) continue;
            double expected = exponent == 0 ? Math.scalb((double) mantissa, -24)
                    : Math.scalb(1 + mantissa / 1024.0, exponent - 15);
            if ((h & 0x8000) != 0) expected = -expected;
            assertEquals(expected, TfjsWeightDecoder.halfToFloat(h), 0.0, "half 0x" + Integer.toHexString(h));
        }
    }

    private void assertMessage(String expectedPart) {
        WeightFileException e = assertThrows(WeightFileException.class, () -> TfjsLayersModel.read(modelJson));
        assertTrue(e.getMessage().contains(expectedPart), e.getMessage());
        assertTrue(e.getMessage().startsWith(modelJson.toString()), "names the file: " + e.getMessage());
    }

    private void writeJson(String topology, String manifest) throws IOException {
        Files.writeString(modelJson, "{\"format\": \"layers-model\", \"modelTopology\": " + topology
                + ", \"weightsManifest\": " + manifest + "}");
    }

    private static List<String> names(KerasWeights w, String layer) {
        return w.weights(layer).stream().map(Weight::name).toList();
    }

    private static byte[] f32(float[] values) {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) b.putFloat(v);
        return b.array();
    }

    private static byte[] u16(int... values) {
        ByteBuffer b = ByteBuffer.allocate(2 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int v : values) b.putShort((short) v);
        return b.array();
    }
}
