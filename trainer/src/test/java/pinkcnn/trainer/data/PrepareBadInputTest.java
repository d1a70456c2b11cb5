package pinkcnn.trainer.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pinkcnn.trainer.UserError;

/** Bad input: none of it crashes a run; every unusable file is listed with its reason; hopeless classes stop early. */
class PrepareBadInputTest {

    @TempDir
    Path tmp;

    private Path goodPhotos(int perClass) {
        Path raw = tmp.resolve("raw");
        TestImages.photoFolders(raw, new int[] {perClass, perClass}, 64, 48);
        return raw;
    }

    @Test
    void unusableFilesAreListedWithReasonsAndTheRestIsProcessed() throws Exception {
        Path raw = goodPhotos(6);
        Path c0 = raw.resolve("class0"), c1 = raw.resolve("class1");
        byte[] jpeg = TestImages.jpeg(TestImages.photo(120, 90, 99), 0.9f, false);
        // Unusable:
        TestImages.write(c0.resolve("zero.jpg"), new byte[0]);
        TestImages.write(c0.resolve("truncated.jpg"), Arrays.copyOf(jpeg, jpeg.length / 2));
        TestImages.write(c0.resolve("notes.jpg"), "these are not pixels\n".getBytes());
        Files.createSymbolicLink(c0.resolve("dangling.jpg"), c0.resolve("gone.jpg"));
        TestImages.write(c0.resolve("one-pixel.png"), TestImages.encode(TestImages.solid(1, 1, Color.RED, BufferedImage.TYPE_3BYTE_BGR), "png"));
        Path locked = TestImages.write(c0.resolve("locked.jpg"), TestImages.jpeg(TestImages.photo(64, 48, 98), 0.9f, false));
        Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("---------"));
        // Usable, if unusual:
        BufferedImage alpha = new BufferedImage(64, 64, BufferedImage.TYPE_INT_ARGB);
        for (int y = 0; y < 64; y++) for (int x = 0; x < 64; x++) alpha.setRGB(x, y, (x * 4) << 24 | 0xFF0000);
        TestImages.write(c1.resolve("alpha.png"), TestImages.encode(alpha, "png"));
        TestImages.write(c1.resolve("cmyk.jpg"), TestImages.cmykJpeg(64, 64, new int[] {255, 0, 0, 0}, new int[] {0, 200, 0, 30}));
        TestImages.write(c1.resolve("grey.jpg"), TestImages.jpeg(TestImages.solid(50, 40, Color.GRAY, BufferedImage.TYPE_BYTE_GRAY), 0.9f, false));
        TestImages.write(c1.resolve("a/b/nested.jpg"), TestImages.jpeg(TestImages.photo(64, 48, 97), 0.9f, false));
        TestImages.write(c1.resolve("huge.jpg"), hugeJpeg());
        // Ignored:
        TestImages.write(c1.resolve(".hidden.jpg"), TestImages.jpeg(TestImages.photo(64, 48, 96), 0.9f, false));
        TestImages.write(c1.resolve(".thumbnails/t.jpg"), TestImages.jpeg(TestImages.photo(64, 48, 95), 0.9f, false));

        Path out = tmp.resolve("out");
        // huge.jpg (100 megapixels) is over the default pixel limit: let it in, to decode it subsampled.
        Cli run = Cli.prepare("--raw", raw.toString(), "--out", out.toString(), "--size", "24", "--augment", "2",
                "--max-pixels", "100000000");
        assertEquals(0, run.exitCode(), run.err());

        Map<String, Manifest.Row> rows = Manifest.read(out.resolve(Manifest.FILE_NAME)).stream()
                .collect(Collectors.toMap(Manifest.Row::path, r -> r));
        Map<String, String> reasons = Map.of(
                "class0/zero.jpg", "empty file (0 bytes)",
                "class0/truncated.jpg", "damaged or truncated JPEG",
                "class0/notes.jpg", "not an image: a text file",
                "class0/dangling.jpg", "cannot read: broken link",
                "class0/one-pixel.png", "too small (1×1");
        reasons.forEach((path, reason) -> {
            Manifest.Row row = rows.get(path);
            assertEquals("skipped", row.status(), path);
            assertTrue(row.note().startsWith(reason), path + ": " + row.note());
            assertTrue(run.out().contains(path + ": " + reason), "summary lists " + path + "\n" + run.out());
        });
        boolean canReadLocked = Files.isReadable(locked);    // root reads anything
        assertEquals(canReadLocked ? "kept" : "skipped", rows.get("class0/locked.jpg").status());
        if (!canReadLocked) assertEquals("cannot read: permission denied", rows.get("class0/locked.jpg").note());

        for (String usable : List.of("class1/alpha.png", "class1/cmyk.jpg", "class1/grey.jpg", "class1/a/b/nested.jpg", "class1/huge.jpg")) {
            assertEquals("kept", rows.get(usable).status(), usable + ": " + rows.get(usable).note());
        }
        assertFalse(rows.containsKey("class1/.hidden.jpg"));
        assertFalse(rows.containsKey("class1/.thumbnails/t.jpg"));
        assertTrue(run.out().contains("2 hidden files or folders ignored"), run.out());
        try (DatasetReader train = DatasetReader.open(out.resolve("train.h5"))) {
            assertEquals(24, train.width());
        }
    }

    /** Progress that stops the run (as Ctrl-C or a failure would) when {@code phase} begins. */
    private static Progress.Factory stopAt(String phase) {
        return (p, total) -> {
            if (p.equals(phase)) throw new UserError("stopped as " + phase + " begins");
            return Progress.SILENT.phase(p, total);
        };
    }

    /** A 10 000 × 10 000 JPEG (grey, to keep the test's own memory small). */
    private static byte[] hugeJpeg() {
        BufferedImage img = new BufferedImage(10_000, 10_000, BufferedImage.TYPE_BYTE_GRAY);
        byte[] px = ((java.awt.image.DataBufferByte) img.getRaster().getDataBuffer()).getData();
        for (int i = 0; i < px.length; i++) px[i] = (byte) ((i % 10_000) / 40 + (i / 10_000) / 80);
        return TestImages.jpeg(img, 0.7f, false);
    }

    @Test
    void aClassWithoutUsablePhotosIsAnErrorBeforeAnyOutput() {
        Path raw = goodPhotos(6);
        Path empty = raw.resolve("class2");
        TestImages.write(empty.resolve("zero.jpg"), new byte[0]);
        TestImages.write(empty.resolve("text.jpg"), "hello".getBytes());
        TestImages.write(raw.resolve("class3/.gitkeep"), new byte[0]);
        Path out = tmp.resolve("out");
        Cli run = Cli.prepare("--raw", raw.toString(), "--out", out.toString(), "--size", "16");
        assertEquals(2, run.exitCode());
        assertTrue(run.err().contains("class 'class2' has no usable photo (2 files found, 2 unusable, 0 duplicates)"), run.err());
        assertTrue(run.err().contains("class 'class3' has no photos: put them in " + raw.resolve("class3")), run.err());
        assertTrue(run.err().contains("Nothing was written"), run.err());
        assertFalse(Files.exists(out));
    }

    @Test
    void emptyClassFoldersSayWhereThePhotosGo() throws Exception {
        // The repository's datasets/ folder as cloned: classes.txt and empty y?_raw folders.
        Path raw = tmp.resolve("datasets");
        TestImages.write(raw.resolve("y0_raw/.gitkeep"), new byte[0]);
        TestImages.write(raw.resolve("y1_raw/.gitkeep"), new byte[0]);
        Files.writeString(raw.resolve("classes.txt"), "y0_raw Jisoo\ny1_raw Jennie\n");
        Cli run = Cli.prepare("--raw", raw.toString(), "--out", raw.resolve("prepared").toString());
        assertEquals(2, run.exitCode());
        assertTrue(run.err().contains("no photos under " + raw + ": put each class's photos in its folder (y0_raw, y1_raw)"), run.err());
        assertFalse(Files.exists(raw.resolve("prepared")));
    }

    @Test
    void aClassWithTooFewPhotosForTheSplitIsAnError() {
        Path raw = goodPhotos(6);
        for (int i = 0; i < 3; i++) {
            TestImages.write(raw.resolve("class2/p" + i + ".jpg"), TestImages.jpeg(TestImages.photo(64, 48, 300 + i), 0.9f, false));
        }
        Path out = tmp.resolve("out");
        Cli run = Cli.prepare("--raw", raw.toString(), "--out", out.toString());
        assertEquals(2, run.exitCode());
        assertTrue(run.err().contains("class 'class2' has 3 usable photos, too few for a 60,20,20 split (each class needs at least 4)"),
                run.err());
        assertFalse(Files.exists(out));
        assertEquals(0, Cli.prepare("--raw", raw.toString(), "--out", out.toString(), "--size", "16", "--split", "1,1,1").exitCode(),
                "3 photos are enough for an even split");
    }

    @Test
    void anInterruptedRunLeavesNoHalfWrittenFile() throws Exception {
        Path raw = goodPhotos(6);
        Path out = tmp.resolve("out");
        PrepareJob.Options options = new PrepareJob.Options(raw, out, new Preprocessing(16, Preprocessing.Crop.CENTER, 0.6),
                StratifiedSplit.Ratios.parse("60,20,20"), 3, 42, Augmentation.DEFAULT, Deduplicator.Mode.EXACT, 4, null, 32, 2, false);

        // No earlier outputs: the run stops after the training split is written, as dev begins.
        assertThrows(UserError.class, () -> PrepareJob.run(options, stopAt("dev")));
        assertFalse(Files.exists(out), "no .h5, no partial files, and not the folder the run made");

        // With earlier outputs and --force: an interrupted run leaves them as they were.
        PrepareJob.run(options, Progress.SILENT);
        byte[] train = Files.readAllBytes(out.resolve("train.h5")), manifest = Files.readAllBytes(out.resolve(Manifest.FILE_NAME));
        PrepareJob.Options again = new PrepareJob.Options(raw, out, options.preprocessing(), options.ratios(), 3, 43,
                Augmentation.DEFAULT, Deduplicator.Mode.EXACT, 4, null, 32, 2, true);
        UserError e = assertThrows(UserError.class, () -> PrepareJob.run(again, stopAt("test")));
        assertEquals("stopped as test begins", e.getMessage());
        assertArrayEquals(train, Files.readAllBytes(out.resolve("train.h5")));
        assertArrayEquals(manifest, Files.readAllBytes(out.resolve(Manifest.FILE_NAME)));
        try (Stream<Path> left = Files.list(out)) {
            assertEquals(4, left.count(), "the four earlier outputs and nothing else");
        }
    }
}
