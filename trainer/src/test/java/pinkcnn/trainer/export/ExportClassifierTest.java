package pinkcnn.trainer.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import pinkcnn.trainer.MainCli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pinkcnn.engine.cpu.CpuBackend;
import pinkcnn.trainer.data.Preprocessing;
import pinkcnn.trainer.data.Progress;
import pinkcnn.trainer.train.FeatureExtractor;
import pinkcnn.trainer.train.FeatureSet;
import pinkcnn.trainer.train.Pool;
import pinkcnn.trainer.train.Predictions;
import pinkcnn.trainer.train.RunConfig;
import pinkcnn.trainer.train.RunFolder;
import pinkcnn.trainer.train.Trainer;
import pinkcnn.trainer.train.TrainingRun;

/**
 * {@code pinkcnn export --run R --format onnx|keras} on small runs trained here (96×96, a few real photos per
 * person, 2 epochs) with each head the trainer makes: ONNX Runtime's class probabilities against
 * {@code pinkcnn predict}'s own computation on real photos, batch 1 and 3, every element within 1e-4·max(1, |ref|);
 * the Keras file checked with h5py against what docs/keras_rebuild.py expects.
 */
class ExportClassifierTest {
    @TempDir
    static Path tmp;
    static Path data;

    @BeforeAll
    static void prepare() throws IOException {
        data = ExportFixtures.prepare(tmp);
    }

    /** The defaults (fine-tuned from block_12_expand, grid3 in the model, linear head), mirrored view, 2 members. */
    @Test
    void fineTunedEnsembleWithMirroredView() throws Exception {
        Path run = ExportFixtures.train(data, tmp.resolve("default"), "--tta", "flip", "--ensemble", "2");
        JsonNode spec = checkOnnx(run, null, "ensemble+flip");
        assertEquals("flip", spec.get("test_time_augmentation").asText());
        assertEquals(2, spec.get("ensemble").asInt());
        assertEquals("grid_average_pooling2d", spec.get("head").get(0).get("name").asText());
        checkOnnx(run, 1, "member 1 (flip)");

        Path h5 = tmp.resolve("default-member1.h5");
        MainCli.Result r = MainCli.cli("export", "--run", run.toString(), "--member", "1", "--format", "keras",
                "--out", h5.toString());
        assertEquals(0, r.rc(), r.err());
        KerasRebuildCheck.check(h5, tmp, run.resolve("members/member-1/model.h5"));

        MainCli.Result all = MainCli.cli("export", "--run", run.toString(), "--format", "keras",
                "--out", tmp.resolve("all.h5").toString());
        assertEquals(2, all.rc());
        assertTrue(all.err().contains("ensemble of 2") && all.err().contains("--member"), all.err());
        assertTrue(!Files.exists(tmp.resolve("all.h5")));
    }

    /** A frozen backbone whose cached features were pooled on the host (uneven 5×5 cells of a 6×6 map), MLP head. */
    @Test
    void frozenGridPooledMlp() throws Exception {
        Path run = ExportFixtures.train(data, tmp.resolve("mlp"), "--fine-tune-from", "none", "--pool", "grid5", "--head", "mlp");
        JsonNode spec = checkOnnx(run, null, "frozen grid5 mlp");
        assertEquals(5, spec.get("head").get(0).get("grid").asInt());
        Path h5 = tmp.resolve("mlp.h5");
        assertEquals(0, MainCli.cli("export", "--run", run.toString(), "--format", "keras", "--out", h5.toString()).rc());
        KerasRebuildCheck.check(h5, tmp, run.resolve("model.h5"));
    }

    /** The original project's head: max pooling, flatten in NHWC order, Dense 256, dropout, Dense (cut at Conv_1_bn). */
    @Test
    void originalHead() throws Exception {
        Path run = ExportFixtures.train(data, tmp.resolve("original"), "--head", "original");
        checkOnnx(run, null, "original head");
        Path h5 = tmp.resolve("original.h5");
        assertEquals(0, MainCli.cli("export", "--run", run.toString(), "--format", "keras", "--out", h5.toString()).rc());
        KerasRebuildCheck.check(h5, tmp, run.resolve("model.h5"));
    }

    /** An unpooled 6×6 map: the linear head averages it globally itself. */
    @Test
    void frozenUnpooledLinear() throws Exception {
        Path run = ExportFixtures.train(data, tmp.resolve("linear"), "--fine-tune-from", "none", "--pool", "none");
        JsonNode spec = checkOnnx(run, null, "frozen unpooled linear");
        assertEquals("GlobalAveragePooling2D", spec.get("head").get(0).get("type").asText());
    }

    /** Exports with the CLI and compares ONNX Runtime with pinkcnn on 1 and 3 real photos; returns the description. */
    static JsonNode checkOnnx(Path run, Integer member, String label) throws Exception {
        Path onnx = tmp.resolve(run.getFileName() + (member == null ? "" : "-m" + member) + ".onnx");
        List<String> args = new ArrayList<>(List.of("export", "--run", run.toString(), "--format", "onnx", "--out", onnx.toString()));
        if (member != null) args.addAll(List.of("--member", member.toString()));
        MainCli.Result r = MainCli.cli(args.toArray(String[]::new));
        assertEquals(0, r.rc(), r.err());
        PythonTools.onnxChecker(onnx, tmp);
        RunConfig cfg = RunConfig.read(run.resolve("run.json"));
        Preprocessing prep = new Preprocessing(cfg.inputSize, Preprocessing.Crop.parse(String.valueOf(cfg.crop)), cfg.cropFraction);
        List<Path> photos = ExportFixtures.photos(3);
        byte[] pixels = ExportFixtures.pixels(photos, prep);
        try (OnnxRuntimeModel ort = new OnnxRuntimeModel(Files.readAllBytes(onnx))) {
            Map<String, String> meta = ort.metadata();
            JsonNode spec = new ObjectMapper().readTree(meta.get(ExportSpec.KEY));
            assertEquals(cfg.classes, new ObjectMapper().readerForListOf(String.class).readValue(meta.get("classes")));
            assertEquals(ExportSpec.SCALING, meta.get("input_scaling"));
            assertEquals(cfg.cropFraction, spec.get("preprocessing").get("crop_fraction").asDouble());
            assertEquals(cfg.inputSize, spec.get("input").get("shape").get(1).asInt());
            assertEquals(ModelExport.PROBABILITIES, ort.session().getOutputNames().iterator().next());
            int per = cfg.inputSize * cfg.inputSize * 3;
            for (int n : new int[] {1, 3}) {
                byte[] px = Arrays.copyOf(pixels, n * per);
                long[][] shape = new long[1][];
                float[] got = ort.run(ExportFixtures.scaled(px), OnnxRuntimeModel.shape(n, cfg.inputSize, cfg.inputSize, 3), shape);
                assertArrayEquals(new long[] {n, cfg.classes.size()}, shape[0]);
                float[] ref = pinkcnn(RunFolder.existing(run), px, n, member);
                double err = OnnxRuntimeModel.maxRelativeError(got, ref);
                System.out.printf("classifier (%s), batch %d: max |onnx - pinkcnn| = %.2e (probabilities %s)%n", label, n, err,
                        Arrays.toString(Arrays.copyOf(ref, cfg.classes.size())));
                assertTrue(err <= 1e-4, label + " batch " + n + ": " + err);
            }
            return spec;
        }
    }

    /** Class probabilities as {@code pinkcnn predict} computes them (each member, each test-time view, averaged). */
    static float[] pinkcnn(RunFolder folder, byte[] pixels, int n, Integer member) {
        try (CpuBackend cpu = new CpuBackend(2)) {
            TrainingRun.Loaded loaded = TrainingRun.load(folder, cpu);
            RunConfig cfg = loaded.cfg();
            List<Predictions> members = new ArrayList<>();
            for (int k = 0; k < cfg.ensemble; k++) {
                if (member != null && k != member) continue;
                TrainingRun.Loaded m = loaded.member(k, folder, cpu);
                FeatureExtractor fx = new FeatureExtractor(cpu, m.backbone(), folder.member(k).model(), 8, false, Progress.SILENT);
                List<FeatureSet> views = new ArrayList<>();
                for (boolean mirrored : cfg.tta.views()) {
                    views.add(fx.extract(pixels, n, cfg.inputSize, m.model().inputs(), cfg.frozen() ? cfg.pool : Pool.NONE, mirrored));
                }
                members.add(new Trainer(cpu, m.model(), null, 8, cfg.classes.size(), cfg.seed, null, Progress.SILENT).predict(views));
            }
            float[][] p = Predictions.average(members).probabilities();
            float[] flat = new float[n * p[0].length];
            for (int i = 0; i < n; i++) System.arraycopy(p[i], 0, flat, i * p[0].length, p[0].length);
            return flat;
        }
    }
}
