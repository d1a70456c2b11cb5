package pinkcnn.trainer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static pinkcnn.trainer.MainCli.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pinkcnn.engine.backend.Backend;
import pinkcnn.engine.cpu.CpuBackend;
import pinkcnn.engine.io.KerasWeights;
import pinkcnn.engine.nn.Graph;
import pinkcnn.trainer.data.Progress;
import pinkcnn.engine.io.Weight;
import pinkcnn.trainer.MainCli.Result;
import pinkcnn.trainer.SmallDemoData;

/**
 * The training pipeline through the CLI, in-process, on a few real photos per class at 96×96:
 * prepare → train → evaluate → predict; the feature cache on a second run; resume after an interruption gives the
 * same result as an uninterrupted run; a corrupt checkpoint is refused.
 */
class TrainPipelineTest {
    @TempDir
    static Path tmp;
    static Path data, weights;

    @BeforeAll
    static void prepare() throws IOException {
        SmallDemoData demo = SmallDemoData.prepare(tmp);
        data = demo.data();
        weights = demo.weights();
    }


    static List<String> train(Path out, String... extra) {
        List<String> a = new ArrayList<>(List.of("train", "--data", data.toString(), "--weights", weights.toString(),
                "--out", out.toString(), "--batch", "8", "--quiet", "--device", "cpu", "--patience", "50"));
        a.addAll(Arrays.asList(extra));
        return a;
    }

    @Test
    void trainEvaluatePredictAndCache() throws IOException {
        Path run = tmp.resolve("run");
        Result r = cli(train(run, "--epochs", "3").toArray(String[]::new));
        assertEquals(0, r.rc(), r.err());
        for (String f : List.of("run.json", "model.h5", "metrics.csv", "report.json", "report.md", "curves.png", "confusion.png")) {
            assertTrue(Files.isRegularFile(run.resolve(f)), f + " missing");
        }
        assertEquals(4, Files.readAllLines(run.resolve("metrics.csv")).size(), "a header and 3 epochs");
        // run.json records what the run used: the options given, and train's defaults for the others
        JsonNode used = new ObjectMapper().readTree(run.resolve("run.json").toFile());
        assertEquals(3, used.get("epochs").asInt());
        assertEquals(8, used.get("batch").asInt());
        assertEquals(50, used.get("patience").asInt());
        assertEquals(0.5, used.get("dropout").asDouble());
        assertEquals(0.001, used.get("lr").asDouble(), 1e-9);
        assertEquals("linear", used.get("head").asText());
        assertEquals("grid3", used.get("pool").asText());
        assertEquals("block_13_expand_relu", used.get("cutLayer").asText());
        assertEquals("block_12_expand", used.get("fineTuneFrom").asText());
        assertEquals("adam", used.get("optimizer").asText());
        assertEquals("constant", used.get("lrSchedule").asText());
        assertEquals("auto", used.get("classWeights").asText());
        assertEquals("none", used.get("tta").asText());
        assertEquals(1, used.get("ensemble").asInt());
        assertEquals(42, used.get("seed").asInt());
        assertEquals("center", used.get("crop").asText());
        assertEquals(96, used.get("inputSize").asInt());
        JsonNode report = new ObjectMapper().readTree(run.resolve("report.json").toFile());
        for (String split : List.of("dev", "test")) {
            double acc = report.get(split).get("accuracy").asDouble();
            assertTrue(acc >= 0 && acc <= 1, split + " accuracy " + acc);
            assertTrue(report.get(split).has("macro_f1"));
        }
        assertEquals(4, report.get("test").get("confusion").get("matrix").size());
        assertTrue(ImageIO.read(run.resolve("confusion.png").toFile()).getWidth() > 100);

        Result eval = cli("evaluate", "--run", run.toString(), "--quiet", "--device", "cpu");
        assertEquals(0, eval.rc(), eval.err());
        assertTrue(eval.out().contains("raw-pixel"), eval.out());

        Path photo;
        try (Stream<Path> s = Files.walk(tmp.resolve("raw"))) {
            photo = s.filter(p -> p.toString().endsWith(".jpg")).sorted().findFirst().orElseThrow();
        }
        Path broken = Files.writeString(tmp.resolve("broken.jpg"), "not a photo");
        Result pred = cli("predict", "--run", run.toString(), "--device", "cpu", photo.toString(), broken.toString());
        assertEquals(1, pred.rc(), "one photo was unusable");
        assertTrue(pred.err().contains("broken.jpg"), pred.err());
        String person = photo.getParent().getFileName().toString();
        assertTrue(pred.out().contains(photo.toString()) && pred.out().contains("%"), pred.out());
        assertTrue(List.of("Ariel_Sharon", "Gerhard_Schroeder", "Hugo_Chavez", "Junichiro_Koizumi").stream().anyMatch(pred.out()::contains),
                "predict names a class: " + pred.out() + " (photo of " + person + ")");

        // a run folder whose run.json has the older format (a device field, none of the later options) still predicts
        Path old = Files.createDirectories(tmp.resolve("run-old-format"));
        Files.copy(run.resolve("model.h5"), old.resolve("model.h5"));
        com.fasterxml.jackson.databind.node.ObjectNode legacy = (com.fasterxml.jackson.databind.node.ObjectNode) used.deepCopy();
        legacy.put("device", "auto");
        legacy.put("weightDecay", 0.0);
        legacy.remove(List.of("tta", "lrSchedule", "labelSmoothing", "ensemble"));
        Files.writeString(old.resolve("run.json"), legacy.toPrettyString());
        Result oldPred = cli("predict", "--run", old.toString(), "--device", "cpu", photo.toString());
        assertEquals(0, oldPred.rc(), oldPred.err());
        assertEquals(cli("predict", "--run", run.toString(), "--device", "cpu", photo.toString()).out(), oldPred.out());

        // a second run with another head reuses the cached features
        Result again = cli(train(tmp.resolve("run-mlp"), "--epochs", "1", "--head", "mlp").toArray(String[]::new));
        assertEquals(0, again.rc(), again.err());
        assertTrue(again.err().contains("features from the cache"), again.err());
    }

    @Test
    void resumedRunEqualsUninterruptedRun() throws IOException {
        Path straight = tmp.resolve("straight"), resumed = tmp.resolve("resumed");
        assertEquals(0, cli(train(straight, "--epochs", "4").toArray(String[]::new)).rc());
        assertEquals(0, cli(train(resumed, "--epochs", "2").toArray(String[]::new)).rc());
        Result r = cli(train(resumed, "--epochs", "4", "--resume").toArray(String[]::new));
        assertEquals(0, r.rc(), r.err());
        assertTrue(r.out().contains("resuming after epoch 2"), r.out());
        assertEquals(Files.readAllLines(straight.resolve("metrics.csv")).stream().map(TrainPipelineTest::withoutTime).toList(),
                Files.readAllLines(resumed.resolve("metrics.csv")).stream().map(TrainPipelineTest::withoutTime).toList());
        KerasWeights a = KerasWeights.read(straight.resolve("model.h5")), b = KerasWeights.read(resumed.resolve("model.h5"));
        assertEquals(a.layerNames(), b.layerNames());
        for (String layer : a.layerNames()) {
            List<Weight> wa = a.weights(layer), wb = b.weights(layer);
            for (int i = 0; i < wa.size(); i++) assertTrue(Arrays.equals(wa.get(i).data(), wb.get(i).data()), layer);
        }
    }

    /** A metrics.csv row without its wall-time column. */
    private static String withoutTime(String line) {
        List<String> cells = new ArrayList<>(Arrays.asList(line.split(",")));
        cells.remove(5);
        return String.join(",", cells);
    }

    /** Fine-tuning trains backbone layers: their weights in model.h5 differ from the pretrained ones, earlier ones do not. */
    @Test
    void fineTuningTrainsTheBackboneFromTheGivenLayer() throws IOException {
        Path run = tmp.resolve("finetune");
        Result r = cli(train(run, "--epochs", "2", "--fine-tune-from", "block_12_expand", "--cut-layer", "block_13_expand_relu",
                "--lr", "1e-2").toArray(String[]::new));
        assertEquals(0, r.rc(), r.err());
        KerasWeights pre = KerasWeights.read(weights), tuned = KerasWeights.read(run.resolve("model.h5"));
        assertTrue(!Arrays.equals(pre.weight("block_12_expand", "kernel:0").data(), tuned.weight("block_12_expand", "kernel:0").data()),
                "block_12_expand trained");
        assertTrue(!Arrays.equals(pre.weight("block_12_project_BN", "gamma:0").data(), tuned.weight("block_12_project_BN", "gamma:0").data()),
                "trained batch norm's gamma");
        assertTrue(Arrays.equals(pre.weight("block_12_project_BN", "moving_mean:0").data(), tuned.weight("block_12_project_BN", "moving_mean:0").data()),
                "moving statistics stay without --bn-train");
        assertTrue(Arrays.equals(pre.weight("block_11_project", "kernel:0").data(), tuned.weight("block_11_project", "kernel:0").data()),
                "layers before --fine-tune-from stay frozen");
    }

    /**
     * The mirrored view runs each image mirrored through the backbone (the same features as mirroring the photo
     * first), and evaluate --tta scores a run with it; the run trains with the cosine learning-rate schedule and
     * label smoothing.
     */
    @Test
    void flipTestTimeAugmentation() throws IOException {
        try (Backend cpu = new CpuBackend()) {
            Graph backbone = Backbones.pretrained(cpu, 1.0, 32, weights);
            FeatureExtractor fx = new FeatureExtractor(cpu, backbone, weights, 2, false, Progress.SILENT);
            byte[] photos = new byte[2 * 32 * 32 * 3];
            new java.util.Random(7).nextBytes(photos);
            float[] asFloats = new float[photos.length];
            for (int i = 0; i < photos.length; i++) asFloats[i] = photos[i] & 0xFF;
            TestTimeAugmentation.mirror(asFloats, 2, 32, 32, 3);
            byte[] mirroredPhotos = new byte[photos.length];
            for (int i = 0; i < photos.length; i++) mirroredPhotos[i] = (byte) asFloats[i];
            java.util.Set<String> cut = java.util.Set.of("block_6_expand_relu");
            float[] viaView = fx.extract(photos, 2, 32, cut, Pool.NONE, true).tensors().get("block_6_expand_relu");
            float[] viaPhoto = fx.extract(mirroredPhotos, 2, 32, cut, Pool.NONE, false).tensors().get("block_6_expand_relu");
            float[] plain = fx.extract(photos, 2, 32, cut, Pool.NONE, false).tensors().get("block_6_expand_relu");
            assertTrue(Arrays.equals(viaView, viaPhoto), "mirrored view = features of the mirrored photo");
            assertTrue(!Arrays.equals(viaView, plain), "random photos are not symmetric");
        }
        Path run = tmp.resolve("tta");
        Result r = cli(train(run, "--epochs", "3", "--tta", "none", "--lr-schedule", "cosine", "--label-smoothing", "0.1")
                .toArray(String[]::new));
        assertEquals(0, r.rc(), r.err());
        assertEquals(0.1f, RunConfig.read(run.resolve("run.json")).labelSmoothing);
        List<String> rows = Files.readAllLines(run.resolve("metrics.csv"));
        for (int e = 1; e <= 3; e++) {
            assertEquals(LearningRateSchedule.COSINE.rate(1e-3f, e, 3), Double.parseDouble(rows.get(e).split(",")[6]), 1e-9,
                    "epoch " + e + " learning rate");
        }
        JsonNode none = new ObjectMapper().readTree(run.resolve("report.json").toFile());
        assertEquals("none", none.get("settings").get("test_time_augmentation").asText());
        Result flip = cli("evaluate", "--run", run.toString(), "--quiet", "--device", "cpu", "--tta", "flip");
        assertEquals(0, flip.rc(), flip.err());
        JsonNode flipped = new ObjectMapper().readTree(run.resolve("report.json").toFile());
        assertEquals("flip", flipped.get("settings").get("test_time_augmentation").asText());
        assertTrue(none.get("test").get("log_loss").asDouble() != flipped.get("test").get("log_loss").asDouble(),
                "the mirrored view changes the probabilities");
        assertEquals(2, cli("evaluate", "--run", run.toString(), "--quiet", "--device", "cpu", "--tta", "rotate").rc());
    }

    /** --ensemble 2: a second member in members/, and predictions that are the mean of the members' probabilities. */
    @Test
    void ensembleAveragesItsMembers() throws IOException {
        Path run = tmp.resolve("ensemble");
        Result r = cli(train(run, "--epochs", "2", "--ensemble", "2").toArray(String[]::new));
        assertEquals(0, r.rc(), r.err());
        Path member = run.resolve("members/member-1");
        assertTrue(Files.isRegularFile(member.resolve("model.h5")) && Files.exists(member.resolve("finished")), "member 1 trained");
        assertEquals(43, RunConfig.read(member.resolve("run.json")).seed, "member 1 trains with seed + 1");
        JsonNode report = new ObjectMapper().readTree(run.resolve("report.json").toFile());
        assertEquals(2, report.get("settings").get("ensemble").asInt());

        // member 0 alone: the same folder with ensemble 1
        Path alone = tmp.resolve("ensemble-member0");
        Files.createDirectories(alone);
        for (String f : List.of("model.h5", "run.json")) Files.copy(run.resolve(f), alone.resolve(f));
        RunConfig c0 = RunConfig.read(alone.resolve("run.json"));
        c0.ensemble = 1;
        c0.write(alone.resolve("run.json"));
        Path photo;
        try (Stream<Path> s = Files.walk(tmp.resolve("raw"))) {
            photo = s.filter(p -> p.toString().endsWith(".jpg")).sorted().skip(7).findFirst().orElseThrow();
        }
        double[] both = probabilities(run, photo), first = probabilities(alone, photo), second = probabilities(member, photo);
        for (int c = 0; c < both.length; c++) {
            assertEquals((first[c] + second[c]) / 2, both[c], 1e-5, "class " + c);
        }
        assertTrue(!Arrays.equals(first, second), "the members differ");

        Result again = cli(train(run, "--epochs", "2", "--ensemble", "2", "--resume").toArray(String[]::new));
        assertEquals(0, again.rc(), again.err());
        assertTrue(!again.out().contains("ensemble member 2 of 2"), "a finished member is not trained again: " + again.out());
    }

    /** predict --json's probabilities of every class, in the run's class order. */
    private static double[] probabilities(Path run, Path photo) throws IOException {
        Result r = cli("predict", "--run", run.toString(), "--device", "cpu", "--json", "--top", "4", photo.toString());
        assertEquals(0, r.rc(), r.err());
        JsonNode top = new ObjectMapper().readTree(r.out()).get("predictions").get(0).get("top");
        List<String> classes = RunConfig.read(run.resolve("run.json")).classes;
        double[] p = new double[classes.size()];
        for (JsonNode t : top) p[classes.indexOf(t.get("class").asText())] = t.get("probability").asDouble();
        return p;
    }

    @Test
    void corruptCheckpointIsRefused() throws IOException {
        Path run = tmp.resolve("corrupt");
        assertEquals(0, cli(train(run, "--epochs", "1").toArray(String[]::new)).rc());
        Path model = run.resolve("checkpoint/model.h5");
        byte[] bytes = Files.readAllBytes(model);
        Files.write(model, Arrays.copyOf(bytes, bytes.length / 3));
        Result r = cli(train(run, "--epochs", "2", "--resume").toArray(String[]::new));
        assertEquals(2, r.rc());
        assertTrue(r.err().contains("corrupt checkpoint"), r.err());
    }
}
