package pinkcnn.trainer.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import pinkcnn.trainer.MainCli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input gets one line naming the file and the problem, exit code 2, and leaves no file behind (not even a
 * partial one): a run that does not exist, a corrupt run (damaged run.json, truncated model.h5), an unwritable
 * destination, wrong option combinations.
 */
class ExportErrorsTest {
    @TempDir
    static Path tmp;
    static Path data, run;

    @BeforeAll
    static void train() throws IOException {
        data = ExportFixtures.prepare(tmp);
        run = ExportFixtures.train(data, tmp.resolve("run"), "--fine-tune-from", "none");
    }

    /** Runs export, expects exit 2 with one line on stderr containing {@code expected}, and no file at {@code out}. */
    static void fails(Path out, String expected, String... args) throws IOException {
        MainCli.Result r = MainCli.cli(args);
        assertEquals(2, r.rc(), r.err() + r.out());
        List<String> lines = r.err().lines().filter(l -> !l.startsWith("WARNING")).toList();
        assertEquals(1, lines.size(), "one line: " + r.err());
        assertTrue(lines.get(0).startsWith("pinkcnn export: ") && lines.get(0).contains(expected), lines.get(0));
        System.out.println(lines.get(0));
        if (out != null) {
            assertFalse(Files.exists(out), out + " was written");
            assertEquals(List.of(), ExportFixtures.partialFiles(out.toAbsolutePath().getParent()), "partial files left");
        }
    }

    @Test
    void missingRun() throws IOException {
        for (String format : List.of("onnx", "keras")) {
            Path out = tmp.resolve("missing." + format);
            fails(out, "no-such-run", "export", "--run", tmp.resolve("no-such-run").toString(), "--format", format, "--out", out.toString());
        }
    }

    @Test
    void corruptRun() throws IOException {
        Path bad = copyRun("bad-config");
        Files.writeString(bad.resolve("run.json"), "{\"classes\": [\"a\", ");
        Path out = tmp.resolve("bad-config.onnx");
        fails(out, "run.json", "export", "--run", bad.toString(), "--format", "onnx", "--out", out.toString());

        Path cut = copyRun("truncated-model");
        byte[] model = Files.readAllBytes(cut.resolve("model.h5"));
        Files.write(cut.resolve("model.h5"), Arrays.copyOf(model, model.length / 2));
        for (String format : List.of("onnx", "keras")) {
            out = tmp.resolve("truncated." + format);
            fails(out, "model.h5", "export", "--run", cut.toString(), "--format", format, "--out", out.toString());
        }

        Path layer = copyRun("unknown-layer");
        Files.writeString(layer.resolve("run.json"),
                Files.readString(layer.resolve("run.json")).replace("block_13_expand_relu", "block_99_expand_relu"));
        out = tmp.resolve("unknown-layer.onnx");
        fails(out, "block_99_expand_relu", "export", "--run", layer.toString(), "--format", "onnx", "--out", out.toString());
    }

    @Test
    void unwritableDestination() throws IOException {
        Path noFolder = tmp.resolve("no-such-folder/model.onnx");
        fails(noFolder, "does not exist", "export", "--run", run.toString(), "--format", "onnx", "--out", noFolder.toString());
        Path folder = Files.createDirectories(tmp.resolve("a-folder"));
        fails(null, "is a folder", "export", "--run", run.toString(), "--format", "onnx", "--out", folder.toString());
        assertTrue(Files.isDirectory(folder));
        // a file where a folder should be: the write itself fails (tests may run as root, for whom permissions do not)
        Path file = Files.writeString(tmp.resolve("a-file"), "x");
        Path under = file.resolve("model.h5");
        fails(null, "a-file", "export", "--run", run.toString(), "--format", "keras", "--out", under.toString());
        assertEquals("x", Files.readString(file));
        assertEquals(List.of(), ExportFixtures.partialFiles(tmp));
    }

    @Test
    void optionCombinations() throws IOException {
        Path out = tmp.resolve("combo.onnx");
        fails(out, "--run RUN", "export", "--format", "onnx", "--out", out.toString());
        fails(out, "one of them", "export", "--run", run.toString(), "--weights", ExportFixtures.weights().toString(),
                "--format", "onnx", "--out", out.toString());
        fails(out, "--member 3", "export", "--run", run.toString(), "--member", "3", "--format", "onnx", "--out", out.toString());
        fails(out, "--layer", "export", "--run", run.toString(), "--layer", "Conv1", "--format", "onnx", "--out", out.toString());
        MainCli.Result r = MainCli.cli("export", "--run", run.toString(), "--format", "tflite", "--out", out.toString());
        assertEquals(2, r.rc(), "picocli's usage error");
        assertFalse(Files.exists(out));
    }

    private static Path copyRun(String name) throws IOException {
        Path dst = Files.createDirectories(tmp.resolve(name));
        for (String f : List.of("run.json", "model.h5")) Files.copy(run.resolve(f), dst.resolve(f));
        return dst;
    }
}
