package pinkcnn.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import pinkcnn.engine.io.AtomicFiles;
import pinkcnn.engine.io.DiskFullException;
import pinkcnn.engine.io.Npy;
import pinkcnn.engine.reference.SharedData;
import pinkcnn.trainer.data.PrepareCommand;
import pinkcnn.trainer.data.Progress;

/**
 * Items of the reliability issue about what the CLI says and writes, one test per item (named by what it checks),
 * in-process: a user's mistake ends with one line naming the input and the problem (exit 2), never a stack trace; a
 * bug ends with one line naming the file its trace was written to.
 */
class ReliabilityCliTest {
    @TempDir
    Path tmp;

    record Result(int rc, String out, String err) {}

    static Result cli(String... args) {
        PrintStream oldOut = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StringWriter err = new StringWriter();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            CommandLine cli = Main.commandLine();
            cli.setErr(new PrintWriter(err, true));
            int rc = cli.execute(args);
            return new Result(rc, out.toString(StandardCharsets.UTF_8), err.toString());
        } finally {
            System.setOut(oldOut);
        }
    }

    /** The run ended with exit code 2 and exactly one line on stderr, which is returned. */
    static String oneLineError(Result r) {
        assertEquals(2, r.rc, r.err);
        assertEquals(1, r.err.lines().count(), "one line: " + r.err);
        assertFalse(r.err.contains("Exception") || r.err.contains("\tat "), r.err);
        return r.err.strip();
    }

    /** Item 12: out-of-range options are named with their value. */
    @Test
    void outOfRangeOptionsAreOneLine() {
        Path none = tmp.resolve("no-photos"), out = tmp.resolve("prepared");
        assertEquals("pinkcnn prepare: --size must be 1 … 4096 pixels, not 100000",
                oneLineError(cli("prepare", "--raw", none.toString(), "--out", out.toString(), "--size", "100000")));
        assertEquals("pinkcnn prepare: --rotation must be in [0, 180] degrees, not NaN",
                oneLineError(cli("prepare", "--raw", none.toString(), "--out", out.toString(), "--rotation", "NaN")));
        assertEquals("pinkcnn bench: --batch must be 1 … 1024, not 100000",
                oneLineError(cli("bench", "--batch", "100000", "--device", "cpu")));
        assertEquals("pinkcnn inspect: --size must be 32 … 4096 pixels, not 100000",
                oneLineError(cli("inspect", "--weights", tmp.resolve("w.h5").toString(), "--size", "100000", "--list")));
        assertFalse(Files.exists(out));
    }

    /** Item 12: a float64, a malformed and a truncated .npy, and an --out in a missing folder. */
    @Test
    void badNpyInputsAndMissingOutputFoldersAreOneLine() throws IOException {
        Path weights = SharedData.dir().resolve("weights/mobilenet_v2_nsfwjs_no_top.h5");
        Path f64 = tmp.resolve("f64.npy"), bad = tmp.resolve("bad.npy"), cut = tmp.resolve("cut.npy"), good = tmp.resolve("x.npy");
        Npy.write(good, new int[] {1, 32, 32, 3}, new float[32 * 32 * 3]);
        byte[] header = Files.readAllBytes(good);
        Files.write(f64, new String(header, 0, 128, StandardCharsets.ISO_8859_1).replace("'<f4'", "'<f8'")
                .getBytes(StandardCharsets.ISO_8859_1));
        Files.writeString(bad, "not numpy at all");
        Files.write(cut, java.util.Arrays.copyOf(header, 200));
        Path act = tmp.resolve("act.npy");
        String[] common = {"inspect", "--weights", weights.toString(), "--size", "32", "--layer", "Conv1", "--device", "cpu"};
        assertEquals("pinkcnn inspect: " + f64 + ": the array is float64; only float32 (little-endian '<f4') is read: "
                + "convert it, e.g. numpy's a.astype('float32')", oneLineError(cli(concat(common, "--input", f64.toString(), "--out", act.toString()))));
        assertEquals("pinkcnn inspect: " + bad + ": not a .npy file",
                oneLineError(cli(concat(common, "--input", bad.toString(), "--out", act.toString()))));
        assertTrue(oneLineError(cli(concat(common, "--input", cut.toString(), "--out", act.toString())))
                .startsWith("pinkcnn inspect: " + cut + ": truncated"));
        Path missing = tmp.resolve("missing/act.npy");
        assertEquals("pinkcnn inspect: --out " + missing + ": the folder " + missing.getParent() + " does not exist",
                oneLineError(cli(concat(common, "--input", good.toString(), "--out", missing.toString()))));
        assertFalse(Files.exists(act));
    }

    /**
     * Item 13: inspect checks --out and --png before it loads anything (here the weights do not even exist), and a
     * failure leaves no .npy behind and an existing one as it was.
     */
    @Test
    void inspectChecksItsOutputsFirstAndLeavesNothingHalfDone() throws IOException {
        Path input = tmp.resolve("x.npy"), act = tmp.resolve("act.npy"), png = tmp.resolve("none/maps.png");
        Npy.write(input, new int[] {1, 32, 32, 3}, new float[32 * 32 * 3]);
        String line = oneLineError(cli("inspect", "--weights", tmp.resolve("no-weights.h5").toString(), "--size", "32",
                "--layer", "Conv1", "--input", input.toString(), "--out", act.toString(), "--png", png.toString()));
        assertTrue(line.startsWith("pinkcnn inspect: --png " + png + ": the folder"), line);
        assertFalse(Files.exists(act), "no .npy without its picture");
        assertTrue(oneLineError(cli("inspect", "--weights", tmp.resolve("no-weights.h5").toString(), "--size", "32",
                "--layer", "Conv1", "--input", input.toString(), "--out", act.toString(), "--png", act.toString()))
                .contains("--out and --png are the same file"));

        Path weights = SharedData.dir().resolve("weights/mobilenet_v2_nsfwjs_no_top.h5");
        assumeTrue(Files.isRegularFile(weights), "../shared weights are needed");
        Files.writeString(act, "an earlier activation");
        Path dir = Files.createDirectories(tmp.resolve("png-is-a-folder.png"));
        assertTrue(oneLineError(cli("inspect", "--weights", weights.toString(), "--size", "32", "--layer", "Conv1",
                "--input", input.toString(), "--out", act.toString(), "--png", dir.toString(), "--device", "cpu"))
                .contains("is a folder"));
        assertEquals("an earlier activation", Files.readString(act));
        Result ok = cli("inspect", "--weights", weights.toString(), "--size", "32", "--layer", "Conv1", "--input",
                input.toString(), "--out", act.toString(), "--png", tmp.resolve("maps.png").toString(), "--device", "cpu");
        assertEquals(0, ok.rc, ok.err);
        assertTrue(Files.size(act) > 1000 && Files.size(tmp.resolve("maps.png")) > 100);
        try (var s = Files.list(tmp)) {
            assertFalse(s.anyMatch(p -> p.getFileName().toString().endsWith(".partial")), "no temporary files left");
        }
    }

    /** Item 14: a full disk is named as such, with the file: through inspect onto /dev/full, and at a write site. */
    @Test
    void aFullDiskSaysSoAndNamesTheFile() throws IOException {
        Path weights = SharedData.dir().resolve("weights/mobilenet_v2_nsfwjs_no_top.h5");
        Path full = Path.of("/dev/full");
        if (Files.exists(full) && Files.isRegularFile(weights)) {
            Path input = tmp.resolve("x.npy");
            Npy.write(input, new int[] {1, 32, 32, 3}, new float[32 * 32 * 3]);
            assertEquals("pinkcnn inspect: /dev/full: the disk is full (no space left on device)",
                    oneLineError(cli("inspect", "--weights", weights.toString(), "--size", "32", "--layer", "Conv1",
                            "--input", input.toString(), "--out", full.toString(), "--device", "cpu")));
        }
        // A writer that wraps the system's error in its own ("Exception writing at position …", as jHDF does).
        Path file = tmp.resolve("weights.h5");
        DiskFullException e = assertThrows(DiskFullException.class, () -> AtomicFiles.writeAt(file, tmp2 -> {
            throw new RuntimeException("Exception writing at position 4096", new IOException("No space left on device"));
        }));
        assertEquals(file + ": the disk is full (no space left on device)", e.getMessage());
        assertFalse(Files.exists(file));
        StringWriter err = new StringWriter();
        int rc = Failures.report(new UncheckedIOException(new IOException("write failed", new IOException("No space left on device"))),
                new PrintWriter(err), "pinkcnn train", new String[0]);
        assertEquals(2, rc);
        assertEquals("pinkcnn train: the disk is full (no space left on device)", err.toString().strip());
    }

    /** Item 12: a bug is one line naming the file with its full trace; too little memory is one line with the fix. */
    @Test
    void aBugIsOneLineWithTheFileOfItsTrace() throws IOException {
        String old = System.setProperty("pinkcnn.cache", tmp.resolve("cache").toString());
        try {
            StringWriter err = new StringWriter();
            CommandLine cli = Main.commandLine();
            cli.setErr(new PrintWriter(err, true));
            int rc = new Main.ErrorHandler().handleExecutionException(new IllegalStateException("a bug", new ArithmeticException("/ by zero")),
                    cli.getSubcommands().get("train"), null);
            assertEquals(1, rc);
            String line = err.toString().strip();
            assertEquals(1, line.lines().count(), line);
            Matcher m = Pattern.compile("pinkcnn train: internal error \\(ArithmeticException: / by zero\\); the full trace is in (\\S+); "
                    + "please report it with that file").matcher(line);
            assertTrue(m.matches(), line);
            Path trace = Path.of(m.group(1));
            assertTrue(trace.startsWith(tmp.resolve("cache").resolve("errors")), trace.toString());
            String text = Files.readString(trace);
            assertTrue(text.contains("IllegalStateException: a bug") && text.contains("\tat "), text);

            StringWriter oom = new StringWriter();
            assertEquals(2, Failures.report(new OutOfMemoryError("Java heap space"), new PrintWriter(oom), "pinkcnn bench", new String[0]));
            assertTrue(oom.toString().strip().matches("pinkcnn bench: out of memory: .* PINKCNN_JAVA_OPTS=-Xmx.*"), oom.toString());
        } finally {
            if (old == null) System.clearProperty("pinkcnn.cache");
            else System.setProperty("pinkcnn.cache", old);
        }
    }

    /** Item 17: a leading ~ is the home folder in every path option; default paths are the project folder's. */
    @Test
    void pathsExpandTildeAndDefaultToTheProjectFolder() throws IOException {
        Path home = Path.of(System.getProperty("user.home"));
        TrainCommand t = (TrainCommand) Main.commandLine().parseArgs("train", "--out=~/runs/x", "--data", "~")
                .subcommand().commandSpec().userObject();
        assertEquals(home.resolve("runs/x"), t.out);
        assertEquals(home, t.data);
        PredictCommand p = (PredictCommand) Main.commandLine().parseArgs("predict", "--run", "~/r", "~/a.jpg", "~b.jpg")
                .subcommand().commandSpec().userObject();
        assertEquals(home.resolve("r"), p.run.path());
        assertEquals(List.of(home.resolve("a.jpg"), Path.of("~b.jpg")), p.images, "only ~ and ~/ are expanded");

        String old = System.setProperty("pinkcnn.home", tmp.toString());
        try {
            Path weights = Files.writeString(tmp.resolve("w.h5"), "only checked to exist");
            TrainCommand d = (TrainCommand) Main.commandLine().parseArgs("train", "--out", "x", "--weights", weights.toString())
                    .subcommand().commandSpec().userObject();
            assertEquals(tmp.resolve("datasets/prepared").toString(), d.config().data, "train's default data: the project's");
            var prepare = ((PrepareCommand) Main.commandLine().parseArgs("prepare", "--crop", "center")
                    .subcommand().commandSpec().userObject()).options();
            assertEquals(tmp.resolve("datasets"), prepare.raw());
            assertEquals(tmp.resolve("datasets/prepared"), prepare.out());
        } finally {
            if (old == null) System.clearProperty("pinkcnn.home");
            else System.setProperty("pinkcnn.home", old);
        }
    }

    /** Item 20: off a terminal, a phase prints plain lines (one at its end), never carriage returns. */
    @Test
    void progressOffATerminalIsPlainLines() {
        String old = System.setProperty("pinkcnn.stderr.terminal", "false");
        PrintStream oldErr = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try (Progress p = Progress.BARS.phase("decode", 300)) {
            for (int i = 0; i < 300; i++) p.step();
        } finally {
            System.setErr(oldErr);
            if (old == null) System.clearProperty("pinkcnn.stderr.terminal");
            else System.setProperty("pinkcnn.stderr.terminal", old);
        }
        String text = err.toString(StandardCharsets.UTF_8);
        assertFalse(text.contains("\r"), text);
        assertTrue(text.matches("decode: 300/300 \\(100 %\\) in [0-9.]+ s, [0-9.]+/s\\R"), text);
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
