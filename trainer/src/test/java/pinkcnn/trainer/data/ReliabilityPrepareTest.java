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
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pinkcnn.trainer.ForkedCli;
import pinkcnn.trainer.MainCli;
import pinkcnn.trainer.train.RunConfig;

/**
 * Items of the reliability issue about {@code prepare}, through the CLI: one test per item, named by what it checks.
 */
class ReliabilityPrepareTest {

    @TempDir
    Path tmp;

    private static MainCli.Result prepare(Path raw, Path out, String... more) {
        List<String> args = new ArrayList<>(List.of("prepare", "--raw", raw.toString(), "--out", out.toString(),
                "--size", "16", "--no-progress", "--crop", "center"));   // the test photos have no faces
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

        // Line ends of other tools (CRLF), a quoted line break, a byte-order mark (and the columns before faces).
        Path crlf = Files.writeString(tmp.resolve("crlf.csv"), "\uFEFF" + Manifest.HEADER_V1 + "\r\n"
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
        MainCli.Result r = prepare(raw, out, "--augment", "1");
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

    /** Item 9: each photo is decoded once, while scanning; the splits are written from what the scan kept. */
    @Test
    void eachPhotoIsDecodedOnce() throws Exception {
        Path raw = tmp.resolve("raw");
        TestImages.photoFolders(raw, new int[] {5, 5, 5}, 64, 48);
        TestImages.write(raw.resolve("class0/notes.jpg"), "no decoder reads this".getBytes());
        Path out = tmp.resolve("out");
        long before = ImageDecoder.decodes();
        MainCli.Result r = prepare(raw, out, "--augment", "3");
        assertEquals(0, r.rc(), r.err());
        assertEquals(15, ImageDecoder.decodes() - before, "15 photos, each decoded once (it was twice: scan, then write)");
        try (DatasetReader train = DatasetReader.open(out.resolve("train.h5"))) {
            assertEquals(9 * 3, train.count());
        }
        try (Stream<Path> files = Files.list(out)) {
            assertEquals(List.of("dev.h5", "manifest.csv", "test.h5", "train.h5"),
                    files.map(f -> f.getFileName().toString()).sorted().toList(), "the scan's input store is gone");
        }
    }

    /**
     * Item 9: running out of memory while decoding is reported as such, on one line naming the file, by prepare and
     * predict in a 48 MiB heap (a 5000×5000 PNG needs 75 MB for its pixels), never as a "damaged PNG".
     */
    @Test
    void runningOutOfMemoryIsOneLineNamingTheFile() throws Exception {
        Path raw = tmp.resolve("raw");
        TestImages.photoFolders(raw, new int[] {4, 4}, 64, 48);
        Path big = TestImages.write(raw.resolve("class1/big.png"), BigPng.of(5000, 5000, 2, 8));
        Path out = tmp.resolve("out");
        ForkedCli.Result r = ForkedCli.run(tmp, 120, "-Xmx48m", "prepare", "--raw", raw.toString(), "--out", out.toString(),
                "--size", "16", "--augment", "1", "--threads", "1", "--no-progress", "--crop", "center");
        assertEquals(0, r.rc(), r.err());
        String expected = "out of memory decoding this 5000×5000 PNG (about 143 MiB of pixels; the Java heap is limited to ";
        assertTrue(r.out().contains("\n  class1/big.png: " + expected), r.out());
        assertFalse(r.out().contains("damaged"), r.out());
        assertTrue(manifest(out).get("class1/big.png").note().startsWith(expected));

        // predict reads the photos before it needs the model: run.json is all it takes to get there.
        Path run = Files.createDirectories(tmp.resolve("run"));
        RunConfig cfg = new RunConfig();
        cfg.classes = new ArrayList<>(List.of("a", "b"));
        cfg.write(run.resolve("run.json"));
        Files.write(run.resolve("model.h5"), new byte[0]);
        ForkedCli.Result p = ForkedCli.run(tmp, 120, "-Xmx48m", "predict", "--run", run.toString(), "--device", "cpu",
                big.toString());
        assertEquals(1, p.rc(), p.err());
        assertTrue(p.err().strip().startsWith("skipped " + big + ": " + expected), p.err());
        assertEquals(1, p.err().strip().lines().count(), p.err());
    }

    /**
     * Item 8: memory stays bounded whatever --augment is. 12 training photos × 1000 images of 64² are 147 MB of
     * pixels, and one photo's 1000 images 12 MB: prepare made each photo's images at once, 4 photos in flight, and
     * ran out of a 48 MiB heap. Now it writes them in pieces, with progress, and an absurd --augment is refused.
     */
    @Test
    void augmentationStreamsInBoundedMemory() throws Exception {
        Path raw = tmp.resolve("raw");
        TestImages.photoFolders(raw, new int[] {10, 10}, 64, 48);
        Path out = tmp.resolve("out");
        ForkedCli.Result r = ForkedCli.run(tmp, 300, "-Xmx48m", "prepare", "--raw", raw.toString(), "--out", out.toString(),
                "--size", "64", "--augment", "1000", "--threads", "2", "--crop", "center");
        assertEquals(0, r.rc(), r.err());
        assertTrue(r.out().contains("train.h5   12000 images (12 photos × 1000)"), r.out());
        assertTrue(r.err().lines().anyMatch(l -> l.startsWith("train: 12000/12000 (100 %) in ")), "progress: " + r.err());
        try (DatasetReader train = DatasetReader.open(out.resolve("train.h5"))) {
            assertEquals(12000, train.count());
            int[] labels = train.labels();
            for (int g = 0; g < labels.length; g += 1000) {
                for (int v = 1; v < 1000; v++) assertEquals(labels[g], labels[g + v], "a photo's images share its label");
            }
            assertFalse(java.util.Arrays.equals(train.image(63), train.image(64)), "variants on both sides of a piece");
        }

        MainCli.Result absurd = prepare(raw, tmp.resolve("absurd"), "--augment", "100000");
        assertEquals(2, absurd.rc());
        assertEquals("pinkcnn prepare: --augment must be 1 … 1000 training images per photo (1 = no augmentation), not 100000",
                absurd.err().strip());
        assertFalse(Files.exists(tmp.resolve("absurd")));
    }
}
