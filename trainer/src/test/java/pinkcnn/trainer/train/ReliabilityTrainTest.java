package pinkcnn.trainer.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pinkcnn.engine.reference.SharedData;
import pinkcnn.trainer.MainCli;

/**
 * What a careless or hostile user did to {@code train}, through the CLI, in-process, on 6 photos per class at 64×64
 * with a frozen backbone (seconds per run): one test per item of the reliability issue, named by what it checks.
 */
class ReliabilityTrainTest {
    @TempDir
    static Path tmp;
    static Path raw, data, weights;
    static String oldTerminal;

    @BeforeAll
    static void prepare() throws IOException {
        Path lfw = SharedData.dir().resolve("datasets/lfw-demo");
        weights = SharedData.dir().resolve("weights/mobilenet_v2_nsfwjs_no_top.h5");
        assumeTrue(Files.isDirectory(lfw) && Files.isRegularFile(weights), "../shared photos and weights are needed");
        System.setProperty("pinkcnn.cache", tmp.resolve("cache").toString());
        oldTerminal = System.setProperty("pinkcnn.stderr.terminal", "false"); // as in a log, whatever runs the tests
        raw = tmp.resolve("raw");
        copyPhotos(lfw, raw, 0, 6);
        data = tmp.resolve("data");
        assertEquals(0, cli("prepare", "--raw", raw.toString(), "--out", data.toString(), "--size", "64", "--augment", "2",
                "--no-progress").rc);
    }

    @AfterAll
    static void restore() {
        if (oldTerminal == null) System.clearProperty("pinkcnn.stderr.terminal");
        else System.setProperty("pinkcnn.stderr.terminal", oldTerminal);
    }

    /** Photos {@code skip … skip+count-1} (in name order) of each person into class folders under {@code to}. */
    static void copyPhotos(Path lfw, Path to, int skip, int count) throws IOException {
        try (Stream<Path> classes = Files.list(lfw)) {
            for (Path c : classes.filter(Files::isDirectory).sorted().toList()) {
                Path dst = Files.createDirectories(to.resolve(c.getFileName().toString()));
                try (Stream<Path> photos = Files.list(c)) {
                    for (Path p : photos.sorted().skip(skip).limit(count).toList()) Files.copy(p, dst.resolve(p.getFileName()));
                }
            }
        }
    }

    record Result(int rc, String out, String err) {
        /** The error output's lines. */
        List<String> errLines() {
            return err.lines().toList();
        }
    }

    static Result cli(String... args) {
        MainCli.Result r = MainCli.cli(args);
        return new Result(r.rc(), r.out(), r.err());
    }

    static Result train(Path out, String... extra) {
        List<String> a = new ArrayList<>(List.of("train", "--data", data.toString(), "--weights", weights.toString(),
                "--out", out.toString(), "--batch", "8", "--device", "cpu", "--fine-tune-from", "none", "--patience", "50"));
        a.addAll(Arrays.asList(extra));
        return cli(a.toArray(String[]::new));
    }

    /** The last line of stderr that is an error ("pinkcnn train: …"), checked to be the only one. */
    static String errorLine(Result r) {
        List<String> errors = r.errLines().stream().filter(l -> l.startsWith("pinkcnn ")).toList();
        assertEquals(1, errors.size(), r.err);
        assertFalse(r.err.contains("Exception") || r.err.contains("\tat "), "no stack trace: " + r.err);
        return errors.get(0);
    }

    static int epochsLogged(Path run) throws IOException {
        return Files.readAllLines(run.resolve("metrics.csv")).size() - 1;
    }

    /** Item 1: --resume without --epochs keeps the run's limit; --epochs changes it and says so; other settings must match. */
    @Test
    void resumeContinuesWithTheRunsOwnSettings() throws IOException {
        Path run = tmp.resolve("resume");
        assertEquals(0, train(run, "--epochs", "2", "--quiet").rc);
        Result again = train(run, "--resume", "--quiet");
        assertEquals(0, again.rc, again.err);
        assertEquals(2, epochsLogged(run), "no epochs past the run's limit of 2 (not train's default of 30)");
        assertTrue(again.out.contains("has trained its 2 epochs"), again.out);

        Result more = train(run, "--resume", "--quiet", "--epochs", "3");
        assertEquals(0, more.rc, more.err);
        assertTrue(more.out.contains("--epochs 3: the run's limit of 2 epochs becomes 3"), more.out);
        assertEquals(3, epochsLogged(run));
        assertEquals(3, RunConfig.read(run.resolve("run.json")).epochs, "run.json records the new limit");

        Result changed = train(run, "--resume", "--quiet", "--lr", "0.1");
        assertEquals(2, changed.rc);
        assertTrue(errorLine(changed).contains("--lr 0.1 (the run has 0.001) would change it"), changed.err);
        assertEquals(3, epochsLogged(run), "nothing trained");
    }

    /**
     * Item 2: while another process writes a run folder, train refuses it with one line naming that process; once the
     * process is gone (killed: its lock file stays behind), the folder can be written again.
     */
    @Test
    void aLockedRunFolderIsRefusedUntilItsHolderIsGone() throws Exception {
        Path run = tmp.resolve("locked");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process holder = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                LockHolder.class.getName(), run.toString()).redirectErrorStream(true).start();
        try {
            BufferedReader lines = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("locked", lines.readLine());
            Result second = train(run, "--epochs", "1", "--quiet");
            assertEquals(2, second.rc);
            String line = errorLine(second);
            assertTrue(line.startsWith("pinkcnn train: " + run + " is in use by another process (pinkcnn train, pid "
                    + holder.pid() + " on "), line);
            assertTrue(line.contains(", started "), line);
            assertFalse(Files.exists(run.resolve("run.json")), "nothing written");
        } finally {
            holder.destroyForcibly();
            holder.waitFor();
        }
        assertTrue(Files.exists(run.resolve(RunFolder.LOCK_FILE)), "the dead process's lock file is still there");
        Result after = train(run, "--epochs", "1", "--quiet");
        assertEquals(0, after.rc, after.err);
        assertEquals(1, epochsLogged(run));
    }

    /**
     * Item 3: a --force run that fails leaves the previous run as it was (no new run.json beside its model, no
     * metrics deleted) and names no file that is not there; a --force that succeeds replaces the run whole; a folder
     * holding other files is never written.
     */
    @Test
    void aFailedReplacementLeavesThePreviousRunWhole() throws IOException {
        Path run = tmp.resolve("replace");
        assertEquals(0, train(run, "--epochs", "2", "--quiet").rc);
        Map<String, byte[]> before = files(run);

        Result failed = train(run, "--epochs", "2", "--quiet", "--force", "--optimizer", "sgd", "--lr", "1000");
        assertEquals(3, failed.rc, failed.err);
        String line = errorLine(failed);
        assertTrue(line.contains(run + " still holds the previous run"), line);
        assertTrue(line.contains("no weights were saved"), line);
        assertFalse(line.contains("model.h5"), "names no file of another run: " + line);
        Map<String, byte[]> after = files(run);
        assertEquals(before.keySet(), after.keySet());
        before.forEach((name, bytes) -> assertArrayEquals(bytes, after.get(name), name + " unchanged"));
        assertFalse(Files.exists(tmp.resolve("replace.new")), "nothing left of the failed replacement");

        Result replaced = train(run, "--epochs", "1", "--quiet", "--force", "--seed", "7");
        assertEquals(0, replaced.rc, replaced.err);
        assertEquals(7, RunConfig.read(run.resolve("run.json")).seed);
        assertEquals(1, epochsLogged(run), "the new run's log only");
        assertFalse(Files.exists(tmp.resolve("replace.new")) || Files.exists(tmp.resolve("replace.old")));

        Path mine = Files.createDirectories(tmp.resolve("my-folder"));
        Files.writeString(mine.resolve("notes.txt"), "mine");
        Result refused = train(mine, "--epochs", "1", "--quiet", "--force");
        assertEquals(2, refused.rc);
        assertTrue(errorLine(refused).contains("holds files that are not a pinkcnn run (notes.txt)"), refused.err);
        try (Stream<Path> s = Files.list(mine)) {
            assertEquals(List.of("notes.txt"), s.map(p -> p.getFileName().toString()).toList());
        }
    }

    /** Every file under a folder (but the lock file), by relative path. */
    private static Map<String, byte[]> files(Path dir) throws IOException {
        Map<String, byte[]> m = new TreeMap<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                if (!p.getFileName().toString().equals(RunFolder.LOCK_FILE)) m.put(dir.relativize(p).toString(), Files.readAllBytes(p));
            }
        }
        return m;
    }

    /**
     * Item 4: train.h5, dev.h5 and test.h5 from different prepare runs are refused on one line, before any work
     * (no run folder, no features): other class names with the same count, another count, another image size.
     */
    @Test
    void splitsFromDifferentPrepareRunsAreRefused() throws IOException {
        Path lfw = SharedData.dir().resolve("datasets/lfw-demo");
        Path renamed = tmp.resolve("raw-renamed"), five = tmp.resolve("raw-five");
        copyPhotos(lfw, renamed, 0, 6);
        Files.move(renamed.resolve("Ariel_Sharon"), renamed.resolve("Somebody_Else"));
        copyPhotos(lfw, five, 0, 6);
        copyPhotos(lfw, tmp.resolve("raw-more"), 6, 6);
        Files.move(tmp.resolve("raw-more/Ariel_Sharon"), five.resolve("Fifth_Person"));
        Map<String, List<String>> variants = Map.of(
                "renamed", List.of("--raw", renamed.toString(), "--size", "64"),
                "five", List.of("--raw", five.toString(), "--size", "64"),
                "size48", List.of("--raw", raw.toString(), "--size", "48"));
        Map<String, String> expected = Map.of(
                "renamed", "test.h5 has classes [Gerhard_Schroeder, Hugo_Chavez, Junichiro_Koizumi, Somebody_Else], train.h5 "
                        + "[Ariel_Sharon, Gerhard_Schroeder, Hugo_Chavez, Junichiro_Koizumi]",
                "five", "test.h5 has classes [Ariel_Sharon, Fifth_Person, Gerhard_Schroeder, Hugo_Chavez, Junichiro_Koizumi]",
                "size48", "test.h5 holds 48×48×3 images, train.h5 64×64×3");
        for (String v : List.of("renamed", "five", "size48")) {
            Path other = tmp.resolve("prepared-" + v), mixed = Files.createDirectories(tmp.resolve("mixed-" + v));
            List<String> args = new ArrayList<>(List.of("prepare", "--out", other.toString(), "--augment", "2", "--no-progress"));
            args.addAll(variants.get(v));
            assertEquals(0, cli(args.toArray(String[]::new)).rc, v);
            Files.copy(data.resolve("train.h5"), mixed.resolve("train.h5"));
            Files.copy(data.resolve("dev.h5"), mixed.resolve("dev.h5"));
            Files.copy(other.resolve("test.h5"), mixed.resolve("test.h5"));
            Path run = tmp.resolve("run-mixed-" + v);
            Result r = cli("train", "--data", mixed.toString(), "--weights", weights.toString(), "--out", run.toString(),
                    "--device", "cpu", "--epochs", "1", "--fine-tune-from", "none");
            assertEquals(2, r.rc, v + ": " + r.err);
            String line = errorLine(r);
            assertTrue(line.contains(expected.get(v)) && line.contains("different 'pinkcnn prepare' runs"), v + ": " + line);
            assertFalse(r.err.contains("features"), v + ": refused before computing features: " + r.err);
            assertFalse(Files.exists(run), v + ": no run folder left behind");
        }
    }

    /** Item 5: SGD at a huge learning rate stops at once (exit 3) instead of saving exploded weights as the best. */
    @Test
    void anExplodingRunStopsWithoutSavingItsWeights() throws IOException {
        Path run = tmp.resolve("explode");
        Result r = train(run, "--epochs", "5", "--quiet", "--optimizer", "sgd", "--lr", "1000");
        assertEquals(3, r.rc, r.out + r.err);
        String line = errorLine(r);
        assertTrue(line.contains("exploded") || line.contains("became"), line);
        assertTrue(line.contains("try a lower --lr") && line.contains("no weights were saved"), line);
        assertFalse(Files.exists(run.resolve("model.h5")), "no exploded weights kept as the best");
        assertFalse(r.out.contains("epoch 1: train loss"), "the exploded epoch is not logged as a result: " + r.out);
    }

    /** Item 6: only checkpoint.old (complete) and checkpoint.tmp exist, as when a write was caught mid-rename. */
    @Test
    void aCheckpointCaughtMidRenameResumesFromTheOldOne() throws IOException {
        Path run = tmp.resolve("midrename");
        assertEquals(0, train(run, "--epochs", "2", "--quiet").rc);
        Files.move(run.resolve("checkpoint"), run.resolve("checkpoint.old"));
        Files.createDirectories(run.resolve("checkpoint.tmp"));
        Files.writeString(run.resolve("checkpoint.tmp/model.h5"), "half written");
        Result r = train(run, "--epochs", "3", "--quiet", "--resume");
        assertEquals(0, r.rc, r.err);
        assertTrue(r.out.contains("using the one before it") && r.out.contains("resuming after epoch 2"), r.out);
        assertEquals(3, epochsLogged(run));
        assertTrue(Files.isRegularFile(run.resolve("checkpoint/state.json")) && !Files.exists(run.resolve("checkpoint.old")));
    }

    /** Item 20: progress written to a file or a pipe is a line per phase, not a bar redrawn with carriage returns. */
    @Test
    void progressInALogIsPlainLines() {
        Result r = train(tmp.resolve("log"), "--epochs", "2");
        assertEquals(0, r.rc, r.err);
        assertFalse(r.err.contains("\r"), "no carriage returns");
        assertTrue(r.err.lines().anyMatch(l -> l.matches("epoch 2: 32/32 \\(100 %\\) in [0-9.]+ s.*")), r.err);
        assertTrue(r.err.lines().anyMatch(l -> l.matches("epoch 1: 32/32 \\(100 %\\) in [0-9.]+ s.*")), r.err);
    }
}
