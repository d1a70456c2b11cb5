package pinkcnn.trainer.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pinkcnn.trainer.MainCli;
import pinkcnn.trainer.train.RunConfig;

/**
 * Images with more pixels than {@code --max-pixels} are refused from their header, before any decoding, by prepare and
 * predict; running out of memory while decoding is reported as such, not as a damaged file.
 */
class PixelLimitTest {

    @TempDir
    Path tmp;

    /** 20000×20000 pixels in a 50 KB file: decoding it took half a minute (twice in prepare). */
    private Path hugeCanvas() {
        return TestImages.write(tmp.resolve("huge.png"), BigPng.of(20_000, 20_000, 0, 1));
    }

    private static Map<String, Manifest.Row> manifest(Path out) {
        return Manifest.read(out.resolve(Manifest.FILE_NAME)).stream().collect(Collectors.toMap(Manifest.Row::path, r -> r));
    }

    @Test
    void prepareRefusesAHugeCanvasFromItsHeader() throws Exception {
        Path raw = tmp.resolve("raw");
        TestImages.photoFolders(raw, new int[] {4, 4}, 64, 48);
        Files.copy(hugeCanvas(), raw.resolve("class0/huge.png"));
        Path out = tmp.resolve("out");
        Cli run = assertTimeoutPreemptively(Duration.ofSeconds(20),
                () -> Cli.prepare("--raw", raw.toString(), "--out", out.toString(), "--size", "16", "--augment", "1"));
        assertEquals(0, run.exitCode(), run.err());
        Manifest.Row row = manifest(out).get("class0/huge.png");
        assertEquals("skipped", row.status());
        assertEquals("too many pixels (20000×20000 PNG, 400 megapixels; the limit is 40 megapixels, see --max-pixels)", row.note());
        assertTrue(run.out().contains("class0/huge.png: too many pixels"), run.out());
    }

    @Test
    void maxPixelsSetsTheLimit() {
        Path raw = tmp.resolve("raw");
        TestImages.photoFolders(raw, new int[] {4, 4}, 64, 48);     // 3072 pixels each
        Path out = tmp.resolve("out");
        Cli refused = Cli.prepare("--raw", raw.toString(), "--out", out.toString(), "--size", "16", "--max-pixels", "3000");
        assertEquals(2, refused.exitCode());
        assertTrue(refused.err().contains("class 'class0' has no usable photo (4 files found, 4 unusable"), refused.err());
        Cli accepted = Cli.prepare("--raw", raw.toString(), "--out", out.toString(), "--size", "16", "--max-pixels", "3072");
        assertEquals(0, accepted.exitCode(), accepted.err());
        Cli zero = Cli.prepare("--raw", raw.toString(), "--out", tmp.resolve("out2").toString(), "--max-pixels", "0");
        assertEquals(2, zero.exitCode());
        assertTrue(zero.err().contains("--max-pixels must be at least 1"), zero.err());
    }

    @Test
    void predictRefusesAHugeCanvasFromItsHeader() throws Exception {
        // Photos are read before the model, so a run folder's run.json is all predict needs to refuse them.
        Path run = Files.createDirectories(tmp.resolve("run"));
        RunConfig cfg = new RunConfig();
        cfg.classes = new ArrayList<>(List.of("a", "b"));
        cfg.write(run.resolve("run.json"));
        Files.write(run.resolve("model.h5"), new byte[0]);
        Path huge = hugeCanvas();
        MainCli.Result r = assertTimeoutPreemptively(Duration.ofSeconds(20),
                () -> MainCli.cli("predict", "--run", run.toString(), huge.toString()));
        assertEquals(1, r.rc(), r.err());
        assertTrue(r.err().contains("skipped " + huge + ": too many pixels (20000×20000 PNG, 400 megapixels; the limit is 40 megapixels"),
                r.err());

        Path small = TestImages.write(tmp.resolve("small.jpg"), TestImages.jpeg(TestImages.photo(64, 48, 1), 0.9f, false));
        MainCli.Result limited = MainCli.cli("predict", "--run", run.toString(), "--max-pixels", "3000", small.toString());
        assertEquals(1, limited.rc(), limited.err());
        assertTrue(limited.err().contains("skipped " + small + ": too many pixels (64×48 JPEG, 3072 pixels; the limit is "
                + "3000 pixels, see --max-pixels)"), limited.err());
    }

    @Test
    void runningOutOfMemoryIsReportedAsSuch() throws Exception {
        // 5000×5000 RGB is within the pixel limit but needs 75 MB for its pixels: prepare in a 48 MB heap cannot
        // decode it, and says so (the JDK's PNG reader wraps the OutOfMemoryError in an IIOException).
        Path raw = tmp.resolve("raw");
        TestImages.photoFolders(raw, new int[] {4, 4}, 64, 48);
        TestImages.write(raw.resolve("class1/big.png"), BigPng.of(5000, 5000, 2, 8));
        Path out = tmp.resolve("out");
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx48m",
                "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"),
                "pinkcnn.trainer.Main", "prepare", "--raw", raw.toString(), "--out", out.toString(), "--crop", "center", "--size", "16",
                "--augment", "1", "--threads", "1", "--no-progress");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve("log.txt").toFile()).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "prepare in a child JVM finishes");
        String log = Files.readString(tmp.resolve("log.txt"));
        assertEquals(0, p.exitValue(), log);
        String note = manifest(out).get("class1/big.png").note();
        assertTrue(note.startsWith("out of memory decoding this 5000×5000 PNG (about 143 MiB of pixels; the Java heap is limited to"),
                note);
    }
}
