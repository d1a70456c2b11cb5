package pinkcnn.trainer.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import pinkcnn.trainer.MainCli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pinkcnn.engine.Autograd;
import pinkcnn.engine.Tensor;
import pinkcnn.engine.TensorScope;
import pinkcnn.engine.cpu.CpuBackend;
import pinkcnn.engine.io.KerasWeights;
import pinkcnn.engine.nn.Graph;
import pinkcnn.trainer.data.Preprocessing;
import pinkcnn.trainer.train.Backbones;

/**
 * {@code pinkcnn export --weights W --model mobilenetv2}: the bare backbone in ONNX Runtime against pinkcnn's own
 * forward pass on real photos (96×96 batch 1 and 3, 224×224 batch 1 and 3), every element within
 * 1e-4·max(1, |pinkcnn|); and the same backbone in the Keras layout.
 */
class ExportBackboneTest {
    @TempDir
    Path tmp;

    @Test
    void mobileNetV2MatchesOnnxRuntime() throws Exception {
        Path weights = ExportFixtures.weights();
        List<Path> photos = ExportFixtures.photos(3);
        try (CpuBackend cpu = new CpuBackend(2)) {
            for (int size : new int[] {96, 224}) {
                Path out = tmp.resolve("mobilenetv2-" + size + ".onnx");
                MainCli.Result r = MainCli.cli("export", "--weights", weights.toString(), "--model", "mobilenetv2",
                        "--input-size", String.valueOf(size), "--format", "onnx", "--out", out.toString());
                assertEquals(0, r.rc(), r.err());
                assertTrue(r.out().contains("wrote " + out), r.out());
                PythonTools.onnxChecker(out, tmp);
                Graph g = Backbones.pretrained(cpu, 1.0, size, weights);
                float[] all = ExportFixtures.scaled(ExportFixtures.pixels(photos, new Preprocessing(size, Preprocessing.Crop.CENTER, 0.7)));
                try (OnnxRuntimeModel ort = new OnnxRuntimeModel(Files.readAllBytes(out))) {
                    JsonNode spec = new ObjectMapper().readTree(ort.metadata().get(ExportSpec.KEY));
                    assertEquals("backbone", spec.get("kind").asText());
                    assertEquals("out_relu", spec.get("backbone").get("last_layer").asText());
                    assertEquals(ExportSpec.SCALING, ort.metadata().get("input_scaling"));
                    for (int n : new int[] {1, 3}) {
                        float[] x = java.util.Arrays.copyOf(all, n * size * size * 3);
                        long[][] shape = new long[1][];
                        float[] got = ort.run(x, OnnxRuntimeModel.shape(n, size, size, 3), shape);
                        int s = size / 32;
                        assertArrayEquals(new long[] {n, s, s, 1280}, shape[0], "NHWC out_relu");
                        float[] ref = forward(cpu, g, x, n, size);
                        double err = OnnxRuntimeModel.maxRelativeError(got, ref);
                        System.out.printf("MobileNetV2 %dx%d batch %d: max |onnx - pinkcnn| / max(1, |pinkcnn|) = %.2e "
                                + "(max |pinkcnn| %.2f)%n", size, size, n, err, maxAbs(ref));
                        assertTrue(err <= 1e-4, size + " batch " + n + ": " + err);
                    }
                }
            }
        }
    }

    /** The backbone's weights up to a chosen layer in the Keras layout, with the description at the root. */
    @Test
    void kerasLayoutUpToALayer() throws Exception {
        Path out = tmp.resolve("backbone.h5");
        MainCli.Result r = MainCli.cli("export", "--weights", ExportFixtures.weights().toString(),
                "--layer", "block_13_expand_relu", "--input-size", "96", "--format", "keras", "--out", out.toString());
        assertEquals(0, r.rc(), r.err());
        KerasWeights k = KerasWeights.read(out), pre = KerasWeights.read(ExportFixtures.weights());
        assertEquals("block_13_expand_relu", k.layerNames().get(k.layerNames().size() - 1));
        assertArrayEquals(pre.weight("block_13_expand", "kernel:0").data(), k.weight("block_13_expand", "kernel:0").data());
        MainCli.Result bad = MainCli.cli("export", "--weights", ExportFixtures.weights().toString(),
                "--layer", "no_such_layer", "--format", "onnx", "--out", tmp.resolve("x.onnx").toString());
        assertEquals(2, bad.rc());
        assertTrue(bad.err().contains("no_such_layer"), bad.err());
    }

    static float[] forward(CpuBackend cpu, Graph g, float[] x, int n, int size) {
        try (TensorScope s = TensorScope.open(); Autograd.AutoCloseableNoThrow ng = Autograd.noGrad()) {
            return g.forward(Tensor.of(cpu, x, n, size, size, 3), g.lastLayer()).toArray();
        }
    }

    static double maxAbs(float[] v) {
        double m = 0;
        for (float f : v) m = Math.max(m, Math.abs(f));
        return m;
    }
}
