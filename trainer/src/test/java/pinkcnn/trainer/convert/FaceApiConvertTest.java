package pinkcnn.trainer.convert;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pinkcnn.engine.io.KerasWeights;
import pinkcnn.engine.io.WeightFileException;
import pinkcnn.engine.models.SsdMobileNetV1;
import pinkcnn.trainer.MainCli;
import pinkcnn.trainer.face.FaceTestData;

/** face-api.js' bare weights manifests: reading them, and converting its SSD MobileNetV1 into the Keras layout. */
class FaceApiConvertTest {

    @TempDir
    Path tmp;

    @Test
    void convertsFaceApisDetectorFromTheNpmPackage() throws IOException {
        FaceTestData.requireFaceApiTarball();
        Path out = tmp.resolve("ssd.h5");
        MainCli.Result run = MainCli.picocli("convert", "--from", "npm:@vladmandic/face-api@1.7.15", "--out", out.toString());
        assertEquals(0, run.rc(), run.err());
        assertTrue(run.out().contains("ssd_mobilenetv1_model-weights_manifest.json: TF.js weights manifest of SSD MobileNetV1"), run.out());
        assertTrue(run.out().contains("kept   97 of 97 layers: input_1 … anchors"), run.out());
        assertTrue(run.out().contains("5,555,519 parameters"), run.out());
        KerasWeights w = KerasWeights.read(out);
        assertArrayEquals(new int[] {SsdMobileNetV1.ANCHORS, 4}, w.weight("anchors", "anchors:0").shape());
        assertArrayEquals(new int[] {3, 3, 3, 32}, w.weight("conv_0", "kernel:0").shape());
        assertArrayEquals(new int[] {3, 3, 1024, 1}, w.weight("conv_13_depthwise", "depthwise_kernel:0").shape());
        assertArrayEquals(new int[] {1, 1, 512, 9}, w.weight("box_predictor_0_classes", "kernel:0").shape());
        // an anchor is a box [y0, x0, y1, x1] inside the unit square, give or take its overhang
        float[] a = w.weight("anchors", "anchors:0").data();
        for (int i = 0; i < a.length; i += 4) assertTrue(a[i + 2] > a[i] && a[i + 3] > a[i + 1], "anchor " + i / 4);

        MainCli.Result other = MainCli.picocli("convert", "--from", "npm:@vladmandic/face-api@1.7.15", "--model", "face_landmark_68",
                "--out", tmp.resolve("x.h5").toString());
        assertEquals(2, other.rc());
        assertTrue(other.err().contains("'face_landmark_68_model'; pinkcnn knows the network of ssd_mobilenetv1_model only"), other.err());
        assertFalse(Files.exists(tmp.resolve("x.h5")));
    }

    @Test
    void readsABareManifestAndRefusesDamagedShards() throws IOException {
        // one float32 weight quantized to uint8 and one int32 constant: 4 + 4 bytes
        Path dir = Files.createDirectories(tmp.resolve("m"));
        String manifest = "[{\"paths\": [\"tiny.bin\"], \"weights\": ["
                + "{\"name\": \"MobilenetV1/Conv2d_1_depthwise/BatchNorm/gamma\", \"shape\": [4], \"dtype\": \"float32\","
                + " \"quantization\": {\"dtype\": \"uint8\", \"scale\": 0.5, \"min\": -1}},"
                + "{\"name\": \"concat_1/axis\", \"shape\": [], \"dtype\": \"int32\"}]}]";
        Path json = dir.resolve("tiny_model-weights_manifest.json");
        Files.writeString(json, manifest, StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {0, 1, 2, (byte) 255}).putInt(3);
        Files.write(dir.resolve("tiny.bin"), b.array());
        Map<String, WeightsManifest.Tensor> t = WeightsManifest.read(json);
        assertArrayEquals(new float[] {-1, -0.5f, 0, 126.5f}, t.get("MobilenetV1/Conv2d_1_depthwise/BatchNorm/gamma").values());
        assertArrayEquals(new float[] {3}, t.get("concat_1/axis").values());
        assertEquals("tiny_model", WeightsManifest.modelName("model/tiny_model-weights_manifest.json"));
        assertNull(WeightsManifest.modelName("model/model.json"));

        Files.write(dir.resolve("tiny.bin"), new byte[6]);
        WeightFileException shortShard = assertThrows(WeightFileException.class, () -> WeightsManifest.read(json));
        assertTrue(shortShard.getMessage().startsWith(json.toString()) && shortShard.getMessage().contains("too short"),
                shortShard.getMessage());
        Files.write(dir.resolve("tiny.bin"), new byte[12]);
        WeightFileException longShard = assertThrows(WeightFileException.class, () -> WeightsManifest.read(json));
        assertTrue(longShard.getMessage().contains("4 bytes more than the manifest describes"), longShard.getMessage());
        Files.delete(dir.resolve("tiny.bin"));
        WeightFileException missing = assertThrows(WeightFileException.class, () -> WeightsManifest.read(json));
        assertTrue(missing.getMessage().contains("weight shard tiny.bin is missing"), missing.getMessage());

        // the SSD layout refuses a manifest that is not the whole detector, naming what is missing
        IllegalArgumentException partial = assertThrows(IllegalArgumentException.class,
                () -> SsdMobileNetV1Layout.toKerasWeights(Map.of(), "x"));
        assertTrue(partial.getMessage().contains("layer conv_0: missing weight kernel:0"), partial.getMessage());
        assertNull(SsdMobileNetV1Layout.target("Unknown/weights"));
        assertArrayEquals(new String[] {"conv_7_pointwise", "bias:0"},
                SsdMobileNetV1Layout.target("MobilenetV1/Conv2d_7_pointwise/convolution_bn_offset"));
        assertArrayEquals(new String[] {"box_predictor_3_classes", "kernel:0"},
                SsdMobileNetV1Layout.target("Prediction/BoxPredictor_3/ClassPredictor/weights"));
    }
}
