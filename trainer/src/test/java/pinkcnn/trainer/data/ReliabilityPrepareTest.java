package pinkcnn.trainer.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pinkcnn.trainer.MainCli;

/**
 * Items of the reliability issue about {@code prepare}, through the CLI: one test per item, named by what it checks.
 */
class ReliabilityPrepareTest {

    @TempDir
    Path tmp;

    private static MainCli.Result prepare(Path raw, Path out, String... more) {
        List<String> args = new ArrayList<>(List.of("prepare", "--raw", raw.toString(), "--out", out.toString(),
                "--size", "16", "--augment", "1", "--no-progress"));
        args.addAll(List.of(more));
        return MainCli.cli(args.toArray(String[]::new));
    }

    private static Map<String, Manifest.Row> manifest(Path out) {
        return Manifest.read(out.resolve(Manifest.FILE_NAME)).stream().collect(Collectors.toMap(Manifest.Row::path, r -> r));
    }

    /** Item 15: a file name with a line break, a comma and quotes survives manifest.csv, and --manifest reads it back. */
    @Test
    void aFileNameWithALineBreakCommaAndQuotesRoundTrips() throws Exception {
        Path raw = tmp.resolve("raw");
        TestImages.photoFolders(raw, new int[] {5, 5}, 64, 48);
        String odd = "class0/odd\nname, \"quoted\"\r.jpg";
        TestImages.write(raw.resolve(odd), TestImages.jpeg(TestImages.photo(64, 48, 77), 0.9f, false));
        TestImages.write(raw.resolve("class1/not\na photo.jpg"), "text".getBytes());
        Path out = tmp.resolve("out");
        MainCli.Result r = prepare(raw, out);
        assertEquals(0, r.rc(), r.err());
        assertTrue(r.out().contains("\n  class1/not\\na photo.jpg: not an image: a text file\n"), "one line, escaped: " + r.out());
        String csv = Files.readString(out.resolve(Manifest.FILE_NAME));
        assertTrue(csv.contains("\"class0/odd\nname, \"\"quoted\"\"\r.jpg\",class0,0,"), "RFC 4180 quoting: " + csv);
        Manifest.Row row = manifest(out).get(odd);
        assertEquals("kept", row.status());
        assertEquals(12, Manifest.read(out.resolve(Manifest.FILE_NAME)).size(), "one row per file, whatever its name holds");

        Path again = tmp.resolve("again");
        MainCli.Result reused = prepare(raw, again, "--manifest", out.resolve(Manifest.FILE_NAME).toString(), "--seed", "9");
        assertEquals(0, reused.rc(), reused.err());
        assertEquals(row.split(), manifest(again).get(odd).split(), "the same split, read back from the manifest");
        assertFalse(reused.out().contains("Not in"), reused.out());

        // Line ends of other tools (CRLF), a quoted line break, a byte-order mark.
        Path crlf = Files.writeString(tmp.resolve("crlf.csv"), "\uFEFF" + Manifest.HEADER + "\r\n"
                + "\"a/x\r\ny.jpg\",a,0,train,kept,ab,cd,\r\n" + "b/z.jpg,b,1,test,kept,ef,01,\"a \"\"note\"\"\"\r\n");
        List<Manifest.Row> rows = Manifest.read(crlf);
        assertEquals(List.of(new Manifest.Row("a/x\r\ny.jpg", "a", 0, "train", "kept", "ab", "cd", ""),
                new Manifest.Row("b/z.jpg", "b", 1, "test", "kept", "ef", "01", "a \"note\"")), rows);
    }

    /**
     * Item 15: the same photo in two class folders (the same file, or the same pixels in another format) is a
     * conflict: listed on a line of the output, status "conflict" in the manifest, and in neither class's splits.
     */
    @Test
    void theSamePhotoInTwoClassesIsAConflictKeptInNeither() throws Exception {
        Path raw = tmp.resolve("raw");
        TestImages.photoFolders(raw, new int[] {5, 5, 5}, 64, 48);
        Files.copy(raw.resolve("class0/photo000.jpg"), raw.resolve("class2/also-photo000.jpg"));
        BufferedImage picture = TestImages.photo(64, 48, 4242);
        TestImages.write(raw.resolve("class0/pic.png"), TestImages.encode(picture, "png"));
        TestImages.write(raw.resolve("class1/pic.bmp"), TestImages.encode(picture, "bmp"));
        TestImages.write(raw.resolve("class1/pic-copy.bmp"), TestImages.encode(picture, "bmp"));
        Path out = tmp.resolve("out");
        MainCli.Result r = prepare(raw, out);
        assertEquals(0, r.rc(), r.err());

        assertTrue(r.out().contains("Same photo in different classes (left out of every class): 2"), r.out());
        assertTrue(r.out().contains("  class0/photo000.jpg, class2/also-photo000.jpg: same photo in two classes: class0, class2"), r.out());
        assertTrue(r.out().contains("  class0/pic.png, class1/pic-copy.bmp, class1/pic.bmp: same photo in two classes: class0, class1"), r.out());
        assertTrue(r.out().matches("(?s).*class\\s+files\\s+decoded\\s+skipped\\s+duplicates\\s+conflicts\\s+train.*"), r.out());
        assertTrue(r.out().matches("(?s).*\nclass1\\s+7\\s+7\\s+0\\s+0\\s+2\\s+3\\s+1\\s+1\n.*"), r.out());

        Map<String, Manifest.Row> rows = manifest(out);
        for (String path : List.of("class0/photo000.jpg", "class2/also-photo000.jpg", "class0/pic.png", "class1/pic.bmp",
                "class1/pic-copy.bmp")) {
            Manifest.Row row = rows.get(path);
            assertEquals("conflict", row.status(), path);
            assertEquals("", row.split(), path + " is in no split");
            assertTrue(row.note().startsWith("same photo in two classes: "), row.note());
        }
        assertEquals("same photo in two classes: class0, class2 (copies: class0/photo000.jpg, class2/also-photo000.jpg)",
                rows.get("class2/also-photo000.jpg").note());
        try (DatasetReader train = DatasetReader.open(out.resolve("train.h5"));
             DatasetReader dev = DatasetReader.open(out.resolve("dev.h5"));
             DatasetReader test = DatasetReader.open(out.resolve("test.h5"))) {
            assertEquals(4 + 5 + 5, train.count() + dev.count() + test.count(), "the 14 photos without a conflict");
        }
    }
}
