package pinkcnn.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import pinkcnn.trainer.data.Preprocessing;
import pinkcnn.trainer.train.ClassWeights;
import pinkcnn.trainer.train.Head;
import pinkcnn.trainer.train.LearningRateSchedule;
import pinkcnn.trainer.train.OptimizerKind;
import pinkcnn.trainer.train.Pool;
import pinkcnn.trainer.train.RunConfig;
import pinkcnn.trainer.train.TestTimeAugmentation;

/**
 * train's settings through the CLI, without data or weights: the choice options take the spellings users type and
 * reject others on one line; layer names are checked, with the closest names, before anything loads; the defaults
 * are those of a fresh {@link RunConfig}.
 */
class TrainOptionsTest {
    @TempDir
    Path tmp;

    record Result(int rc, String err) {}

    private static Result execute(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return new Result(cli.execute(args), err.toString());
    }

    @SuppressWarnings("unchecked")
    private static <T> T parsed(String... args) {
        return (T) Main.commandLine().parseArgs(args).subcommand().commandSpec().userObject();
    }

    private static TrainCommand train(String option, String value) {
        return parsed("train", "--out", "runs/x", option, value);
    }

    @Test
    void choiceOptionsAcceptTheDocumentedSpellings() {
        for (String s : List.of("linear", "mlp", "original")) assertEquals(s, train("--head", s).head.id());
        assertEquals(Head.ORIGINAL, train("--head", "original").head);
        Map<String, Integer> grids = Map.of("none", 0, "gap", 1, "grid1", 1, "grid2", 2, "grid3", 3, "grid16", 16);
        grids.forEach((s, g) -> {
            Pool p = train("--pool", s).pool;
            assertEquals(s, p.id());
            assertEquals(g, p.gridSize(), s);
        });
        assertEquals(OptimizerKind.ADAM, train("--optimizer", "adam").optimizer);
        assertEquals(OptimizerKind.SGD, train("--optimizer", "sgd").optimizer);
        assertEquals(ClassWeights.AUTO, train("--class-weights", "auto").classWeights);
        assertEquals(ClassWeights.NONE, train("--class-weights", "none").classWeights);
        assertEquals(LearningRateSchedule.CONSTANT, train("--lr-schedule", "constant").lrSchedule);
        assertEquals(LearningRateSchedule.COSINE, train("--lr-schedule", "cosine").lrSchedule);
        assertEquals(TestTimeAugmentation.NONE, train("--tta", "none").tta);
        assertEquals(TestTimeAugmentation.FLIP, train("--tta", "flip").tta);
        EvaluateCommand evaluate = parsed("evaluate", "--run", "runs/x", "--tta", "flip");
        assertEquals(TestTimeAugmentation.FLIP, evaluate.tta);
        assertNull(((EvaluateCommand) parsed("evaluate", "--run", "runs/x")).tta, "no --tta: the run's own");
        // prepare's --crop took any case and the British spelling before it was an enum; it still does
        for (String s : List.of("center", "centre", "CENTER", " Center ")) {
            assertEquals(Preprocessing.Crop.CENTER, prepareOption("--crop", s), s);
        }
        assertEquals(Preprocessing.Crop.NONE, prepareOption("--crop", "none"));
        for (String s : List.of("exact", "near", "NEAR")) {
            assertEquals(s.toLowerCase(java.util.Locale.ROOT), prepareOption("--dedupe", s).toString(), s);
        }
    }

    /** A parsed option of prepare (whose fields are package-private in another package: read through picocli). */
    private static <T> T prepareOption(String option, String value) {
        CommandLine.ParseResult r = Main.commandLine().parseArgs("prepare", option, value);
        return r.subcommand().matchedOptionValue(option, null);
    }

    @Test
    void otherSpellingsAreRejectedOnOneLine() {
        Map<List<String>, String> cases = Map.of(
                List.of("train", "--head", "cnn"), "pinkcnn train: unknown --head 'cnn': use linear, mlp or original",
                List.of("train", "--pool", "grid17"), "pinkcnn train: unknown --pool 'grid17': use none, gap or grid1 … grid16",
                List.of("train", "--optimizer", "rmsprop"), "pinkcnn train: unknown --optimizer 'rmsprop': use adam or sgd",
                List.of("train", "--class-weights", "balanced"), "pinkcnn train: unknown --class-weights 'balanced': use auto or none",
                List.of("train", "--lr-schedule", "step"), "pinkcnn train: unknown --lr-schedule 'step': use constant or cosine",
                List.of("train", "--tta", "FLIP"), "pinkcnn train: unknown --tta 'FLIP': use none or flip",
                List.of("evaluate", "--run", "runs/x", "--tta", "rotate"), "pinkcnn evaluate: unknown --tta 'rotate': use none or flip",
                List.of("prepare", "--crop", "square"), "pinkcnn prepare: unknown --crop 'square': use center, none or face",
                List.of("prepare", "--dedupe", "fuzzy"), "pinkcnn prepare: unknown --dedupe 'fuzzy': use exact or near");
        cases.forEach((args, line) -> {
            List<String> all = new java.util.ArrayList<>(args);
            if (args.get(0).equals("train")) all.addAll(List.of("--out", tmp.resolve("run").toString()));
            Result r = execute(all.toArray(String[]::new));
            assertEquals(2, r.rc, line);
            assertEquals(line + System.lineSeparator(), r.err, "one line, no usage");
        });
        for (String s : List.of("grid0", "grid", "GAP", "grid3 ")) {
            assertEquals(2, execute("train", "--out", tmp.resolve("run").toString(), "--pool", s).rc, s);
        }
        assertFalse(Files.exists(tmp.resolve("run")));
    }

    @Test
    void unknownLayerNamesGetTheClosestNamesBeforeAnythingLoads() {
        // Neither the data nor the weights exist: an error about them would mean they were looked at first.
        Path run = tmp.resolve("run");
        String[] common = {"train", "--data", tmp.resolve("no-data").toString(), "--weights", tmp.resolve("no.h5").toString(),
                "--out", run.toString(), "--device", "cpu"};
        Result cut = execute(concat(common, "--cut-layer", "block_13_expand_rlu"));
        assertEquals(2, cut.rc, cut.err);
        assertEquals(1, cut.err.strip().lines().count(), cut.err);
        assertTrue(cut.err.startsWith("pinkcnn train: --cut-layer 'block_13_expand_rlu' is not a MobileNetV2 layer; "
                + "closest: block_13_expand_relu, "), cut.err);

        Result from = execute(concat(common, "--fine-tune-from", "Block_12_expand"));
        assertEquals(2, from.rc, from.err);
        assertEquals(1, from.err.strip().lines().count(), from.err);
        assertTrue(from.err.contains("--fine-tune-from 'Block_12_expand' is not a MobileNetV2 layer; closest: block_12_expand,"),
                from.err);

        Result after = execute(concat(common, "--fine-tune-from", "block_15_expand"));
        assertEquals(2, after.rc, after.err);
        assertTrue(after.err.contains("--fine-tune-from block_15_expand comes after the cut block_13_expand_relu"), after.err);

        // valid names get as far as the missing weights
        Result valid = execute(concat(common, "--cut-layer", "block_14_expand_relu", "--fine-tune-from", "none"));
        assertEquals(2, valid.rc);
        assertTrue(valid.err.contains("no such weights file"), valid.err);
        assertFalse(Files.exists(run), "nothing written");
    }

    /** train's option defaults are a fresh RunConfig's, and keep the values the CLI always had. */
    @Test
    void defaultsAreTheRunConfigs() throws IOException {
        Path weights = Files.writeString(tmp.resolve("w.h5"), "only checked to exist");
        TrainCommand t = parsed("train", "--out", "runs/x", "--weights", weights.toString());
        RunConfig c = t.config();
        ObjectMapper json = new ObjectMapper();
        ObjectNode fromCli = json.valueToTree(c), fresh = json.valueToTree(new RunConfig());
        for (String set : List.of("data", "weights")) {
            fromCli.remove(set);
            fresh.remove(set);
        }
        assertEquals(fresh, fromCli);
        assertEquals(30, c.epochs);
        assertEquals(0.5f, c.dropout);
        assertEquals(10, c.patience);
        assertEquals(32, c.batch);
        assertEquals(1e-3f, c.lr);
        assertEquals(Head.LINEAR, c.head);
        assertEquals(Pool.GRID3, c.pool);
        assertEquals("block_13_expand_relu", c.cutLayer);
        assertEquals("block_12_expand", c.fineTuneFrom);
        assertEquals(TestTimeAugmentation.NONE, c.tta);
        assertEquals(UserPaths.projectDefault("datasets/prepared").toString(), c.data, "the project's, absolute");

        // --head original brings its own cut, pooling and frozen backbone
        RunConfig original = ((TrainCommand) parsed("train", "--out", "runs/x", "--weights", weights.toString(), "--head",
                "original")).config();
        assertEquals("Conv_1_bn", original.cutLayer);
        assertEquals(Pool.NONE, original.pool);
        assertTrue(original.frozen());
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
