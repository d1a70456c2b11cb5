package pinkcnn.trainer.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pinkcnn.engine.testing.Fuzzer;
import pinkcnn.trainer.UserError;

/**
 * Mutated {@code manifest.csv} files through {@link Manifest} and, for a sample, {@code prepare --manifest}: each is
 * read or is a one-line {@link UserError} naming the file. Counts in docs/robustness.md.
 */
class ManifestFuzzTest {

    static final int READER_INPUTS = 500;
    static final int PREPARE_INPUTS = 12;

    @TempDir
    Path tmp;

    /** The manifest of a real prepare run, plus one with every status and quoting case. */
    private List<byte[]> seeds(Path raw) throws Exception {
        Path out = tmp.resolve("seed-out");
        Cli run = Cli.prepare("--raw", raw.toString(), "--out", out.toString(), "--size", "16", "--augment", "1");
        assertEquals(0, run.exitCode(), run.err());
        Path handmade = tmp.resolve("handmade.csv");
        Manifest.write(handmade, List.of(
                new Manifest.Row("a/1.jpg", "a", 0, "train", "kept", "9f2c", "c3a1", ""),
                new Manifest.Row("a/\"quoted\", with comma.jpg", "a", 0, "", "duplicate", "9f2c", "c3a1", "same file as a/1.jpg"),
                new Manifest.Row("b/2.png", "b, the second", 1, "", "skipped", "", "", "damaged or truncated PNG: x"),
                new Manifest.Row("b/3.png", "b, the second", 1, "test", "kept", "77aa", "0000", "")));
        return List.of(Files.readAllBytes(out.resolve(Manifest.FILE_NAME)), Files.readAllBytes(handmade));
    }

    @Test
    void manifestsReadOrAreRefusedInOneLine() throws Exception {
        Path raw = tmp.resolve("raw");
        TestImages.photoFolders(raw, new int[] {4, 4}, 40, 40);
        Path file = tmp.resolve("manifest.csv");
        Fuzzer.of("manifest.csv", seeds(raw), 0x5EED_0007L)
                .refusals(UserError.class)
                .messages((m, e) -> e.getMessage().contains(file.toString()) ? null : "the message does not name the file")
                .text()
                .run(READER_INPUTS, m -> {
                    Files.write(file, m.bytes());
                    Manifest.read(file);
                    Manifest.splitsByHash(file);
                });
    }

    @Test
    void prepareReusesOrRefusesEachMutatedManifest() throws Exception {
        Path raw = tmp.resolve("raw"), out = tmp.resolve("out"), manifest = tmp.resolve("manifest.csv");
        TestImages.photoFolders(raw, new int[] {4, 4}, 40, 40);
        // Only the real manifest: the handmade one names photos that are not there.
        Fuzzer fuzzer = Fuzzer.of("manifest.csv (prepare --manifest)", seeds(raw).subList(0, 1), 0x5EED_0008L).text();
        int accepted = 0;
        for (Fuzzer.Mutant m : fuzzer.mutants(PREPARE_INPUTS)) {
            Files.write(manifest, m.bytes());
            Cli run = Cli.prepare("--raw", raw.toString(), "--out", out.toString(), "--size", "16", "--augment", "1",
                    "--manifest", manifest.toString(), "--force");
            String where = "input " + m.index() + " (" + m.how() + ")";
            if (Boolean.getBoolean("fuzz.verbose")) System.out.println("fuzz: prepare --manifest " + where + ": " + run.err());
            if (run.exitCode() == 0) {
                accepted++;
            } else {
                assertEquals(2, run.exitCode(), where + ": " + run.err());
                assertEquals(1, run.err().strip().lines().count(), where + ": not one line: " + run.err());
            }
            try (Stream<Path> top = Files.list(tmp)) {
                Set<String> names = top.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
                assertTrue(Set.of("raw", "out", "seed-out", "handmade.csv", "manifest.csv").containsAll(names), where + ": " + names);
            }
        }
        Fuzzer.count("manifest.csv (prepare --manifest)", PREPARE_INPUTS, accepted);
    }
}
