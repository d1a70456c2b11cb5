package pinkcnn.trainer.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Class folders and sub-folders that are symbolic links are followed; a link that loops is listed, not followed. */
class SymlinkedFoldersTest {

    @TempDir
    Path tmp;

    @Test
    void prepareFollowsLinkedFoldersAndListsLoops() throws Exception {
        Path elsewhere = tmp.resolve("elsewhere");
        TestImages.photoFolders(elsewhere, new int[] {5, 2}, 64, 48);        // class0 (5 photos), class1 (2 photos)
        Path raw = Files.createDirectories(tmp.resolve("raw"));
        Files.createSymbolicLink(raw.resolve("alice"), elsewhere.resolve("class0"));             // a linked class folder
        Path bob = Files.createDirectories(raw.resolve("bob"));
        for (int i = 0; i < 3; i++) {
            TestImages.write(bob.resolve("b" + i + ".jpg"), TestImages.jpeg(TestImages.photo(64, 48, 500 + i), 0.9f, false));
        }
        Files.createSymbolicLink(bob.resolve("more"), elsewhere.resolve("class1"));              // a linked sub-folder
        Files.createSymbolicLink(bob.resolve("loop"), bob);                                     // back to bob

        Path out = tmp.resolve("out");
        Cli run = assertTimeoutPreemptively(Duration.ofSeconds(60),
                () -> Cli.prepare("--raw", raw.toString(), "--out", out.toString(), "--size", "16", "--augment", "1"));
        assertEquals(0, run.exitCode(), run.err());
        Map<String, Manifest.Row> rows = Manifest.read(out.resolve(Manifest.FILE_NAME)).stream()
                .collect(Collectors.toMap(Manifest.Row::path, r -> r));
        for (int i = 0; i < 5; i++) assertEquals("kept", rows.get(String.format("alice/photo%03d.jpg", i)).status());
        assertEquals("kept", rows.get("bob/more/photo000.jpg").status());
        assertEquals("kept", rows.get("bob/more/photo001.jpg").status());
        assertEquals(10, rows.size(), rows.keySet().toString());
        assertTrue(run.out().contains("bob/loop: a link to a folder above it (a loop), not followed"), run.out());
        try (DatasetReader train = DatasetReader.open(out.resolve("train.h5"))) {
            assertEquals(java.util.List.of("alice", "bob"), train.classes());
        }
    }
}
