package pinkcnn.trainer.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PrepareCommandTest {

    private static final int SIZE = 16, COPIES = 3;

    @TempDir
    Path tmp;
    Path raw;

    @BeforeEach
    void photos() {
        raw = tmp.resolve("raw");
        TestImages.photoFolders(raw, new int[] {10, 7, 5}, 64, 48);
    }

    private Cli prepare(Path out, String... more) {
        List<String> args = new ArrayList<>(List.of("--raw", raw.toString(), "--out", out.toString(), "--size", "" + SIZE,
                "--augment", "" + COPIES));
        args.addAll(List.of(more));
        if (!args.contains("--seed")) args.addAll(List.of("--seed", "7"));
        return Cli.prepare(args.toArray(new String[0]));
    }

    private static Cli ok(Cli run) {
        assertEquals(0, run.exitCode(), run.err() + run.out());
        return run;
    }

    @Test
    void splitSizesAndStratificationAreExactAndTheFilesReadBack() {
        Path out = tmp.resolve("out");
        Cli run = ok(prepare(out));
        // Per class: 10 → 6/2/2, 7 → 4/2/1 (4.2, 1.4, 1.4), 5 → 3/1/1; training images ×3.
        int[][] expected = {{18, 12, 9}, {2, 2, 1}, {2, 1, 1}};
        for (Split s : Split.values()) {
            try (DatasetReader r = DatasetReader.open(out.resolve(s.fileName()))) {
                assertEquals(s.id(), r.split());
                assertEquals(List.of("class0", "class1", "class2"), r.classes());
                assertEquals(SIZE, r.height());
                assertEquals(SIZE, r.width());
                assertEquals(3, r.channels());
                assertArrayEquals(expected[s.ordinal()], r.countsPerClass(), s.id());
                DatasetReader.DatasetInfo x = r.datasets().stream().filter(d -> d.name().equals(s.id() + "_set_x")).findFirst().orElseThrow();
                assertEquals("uint8", x.dtype());
                assertArrayEquals(new int[] {r.count(), SIZE, SIZE, 3}, x.shape());
            }
        }
        assertTrue(run.out().contains("train.h5      39 images (13 photos × 3)"), run.out());
        assertTrue(run.out().matches("(?s).*class0\\s+10\\s+10\\s+0\\s+0\\s+6\\s+2\\s+2.*"), run.out());
    }

    @Test
    void noFileHashIsInTwoSplitsAndEveryFileIsInTheManifest() {
        Path out = tmp.resolve("out");
        ok(prepare(out));
        List<Manifest.Row> rows = Manifest.read(out.resolve(Manifest.FILE_NAME));
        assertEquals(22, rows.size());
        Map<String, Set<String>> splitsOfHash = new HashMap<>();
        for (Manifest.Row r : rows) {
            assertEquals("kept", r.status());
            assertEquals(64, r.sha256().length());
            splitsOfHash.computeIfAbsent(r.sha256(), h -> new HashSet<>()).add(r.split());
        }
        splitsOfHash.values().forEach(splits -> assertEquals(1, splits.size()));
        assertEquals(22, splitsOfHash.size());
    }

    @Test
    void theSameSeedGivesByteIdenticalOutputs() throws Exception {
        Path a = tmp.resolve("a"), b = tmp.resolve("b"), c = tmp.resolve("c");
        ok(prepare(a));
        ok(prepare(b, "--threads", "1"));
        for (String f : List.of("train.h5", "dev.h5", "test.h5", Manifest.FILE_NAME)) {
            assertArrayEquals(Files.readAllBytes(a.resolve(f)), Files.readAllBytes(b.resolve(f)), f);
        }
        ok(prepare(c, "--seed", "8"));
        assertFalse(Arrays.equals(Files.readAllBytes(a.resolve(Manifest.FILE_NAME)), Files.readAllBytes(c.resolve(Manifest.FILE_NAME))));
    }

    @Test
    void augmentationKeepsLabelsAndOriginalsAndChangesPixels() throws Exception {
        Path out = tmp.resolve("out");
        ok(prepare(out));
        Preprocessing pre = new Preprocessing(SIZE, Preprocessing.Crop.CENTER, Preprocessing.DEFAULT_CROP_FRACTION);
        Set<String> originals = new HashSet<>();
        try (DatasetReader train = DatasetReader.open(out.resolve("train.h5"))) {
            assertEquals(13 * COPIES, train.count());
            for (int g = 0; g < train.count(); g += COPIES) {
                byte[] original = train.image(g);
                originals.add(Arrays.toString(original));
                for (int v = 1; v < COPIES; v++) {
                    assertEquals(train.label(g), train.label(g + v), "a variant has its photo's label");
                    assertFalse(Arrays.equals(original, train.image(g + v)), "a variant differs from its photo");
                }
            }
        }
        // Every training photo's plain preprocessed image is among the originals.
        for (Manifest.Row r : Manifest.read(out.resolve(Manifest.FILE_NAME))) {
            if (!r.split().equals("train")) continue;
            byte[] expected = pre.load(raw.resolve(r.path()));
            assertTrue(originals.contains(Arrays.toString(expected)), r.path());
        }
        try (DatasetReader dev = DatasetReader.open(out.resolve("dev.h5"))) {
            assertEquals(5, dev.count(), "dev is not augmented");
        }
    }

    @Test
    void existingOutputsAreReplacedOnlyWithForce() throws Exception {
        Path out = tmp.resolve("out");
        ok(prepare(out));
        byte[] before = Files.readAllBytes(out.resolve("train.h5"));
        Cli again = prepare(out, "--seed", "9");
        assertEquals(2, again.exitCode());
        assertTrue(again.err().contains("already exists: add --force"), again.err());
        assertArrayEquals(before, Files.readAllBytes(out.resolve("train.h5")));
        ok(prepare(out, "--seed", "9", "--force"));
        assertFalse(Arrays.equals(before, Files.readAllBytes(out.resolve("train.h5"))));
    }

    @Test
    void aManifestReusesItsSplit() throws Exception {
        Path first = tmp.resolve("first"), second = tmp.resolve("second");
        ok(prepare(first, "--seed", "1"));
        TestImages.write(raw.resolve("class0").resolve("new-photo.jpg"), TestImages.jpeg(TestImages.photo(64, 48, 777), 0.9f, false));
        Cli run = ok(prepare(second, "--seed", "2", "--manifest", first.resolve(Manifest.FILE_NAME).toString()));
        Map<String, String> before = splits(first), after = splits(second);
        before.forEach((path, split) -> assertEquals(split, after.get(path), path));
        assertEquals("", after.get("class0/new-photo.jpg"));
        assertTrue(run.out().contains("class0/new-photo.jpg"), run.out());
        assertNotEquals(before, prepareFresh("--seed", "2"), "without the manifest seed 2 splits differently");
    }

    private Map<String, String> prepareFresh(String... args) {
        Path out = tmp.resolve("fresh");
        ok(prepare(out, args));
        return splits(out);
    }

    private static Map<String, String> splits(Path out) {
        return Manifest.read(out.resolve(Manifest.FILE_NAME)).stream()
                .collect(Collectors.toMap(Manifest.Row::path, Manifest.Row::split));
    }

    @Test
    void duplicatesAreKeptOnceBeforeSplitting() throws Exception {
        // Byte copies beside it and in a nested folder, the same pixels as BMP, a re-encoded smaller copy. (A copy in
        // another class is a conflict: ReliabilityPrepareTest.)
        byte[] photo = Files.readAllBytes(raw.resolve("class0/photo000.jpg"));
        TestImages.write(raw.resolve("class0/photo000-copy.jpg"), photo);
        TestImages.write(raw.resolve("class0/nested/deeper/copy.jpg"), photo);
        var png = TestImages.photo(64, 48, 4242);
        TestImages.write(raw.resolve("class2/lossless.png"), TestImages.encode(png, "png"));
        TestImages.write(raw.resolve("class2/resaved.bmp"), TestImages.encode(png, "bmp"));
        var small = new java.awt.image.BufferedImage(48, 36, java.awt.image.BufferedImage.TYPE_3BYTE_BGR);
        small.getGraphics().drawImage(png.getScaledInstance(48, 36, java.awt.Image.SCALE_SMOOTH), 0, 0, null);
        TestImages.write(raw.resolve("class2/smaller.jpg"), TestImages.jpeg(small, 0.6f, false));

        Path out = tmp.resolve("out");
        Cli run = ok(prepare(out));
        Map<String, Manifest.Row> rows = Manifest.read(out.resolve(Manifest.FILE_NAME)).stream()
                .collect(Collectors.toMap(Manifest.Row::path, r -> r));
        // In class then path order the nested copy comes first, so it is the one kept.
        assertEquals("kept", rows.get("class0/nested/deeper/copy.jpg").status());
        assertEquals("duplicate", rows.get("class0/photo000.jpg").status());
        assertEquals("same file as class0/nested/deeper/copy.jpg", rows.get("class0/photo000.jpg").note());
        assertEquals("duplicate", rows.get("class0/photo000-copy.jpg").status());
        assertEquals("same file as class0/nested/deeper/copy.jpg", rows.get("class0/photo000-copy.jpg").note());
        assertEquals("same pixels as class2/lossless.png", rows.get("class2/resaved.bmp").note());
        assertEquals("kept", rows.get("class2/smaller.jpg").status());
        assertTrue(run.out().contains("class2/lossless.png ~ class2/smaller.jpg"), run.out());

        Set<String> seen = new HashSet<>();
        for (Manifest.Row r : rows.values()) if (!r.split().isEmpty()) assertTrue(seen.add(r.sha256()), "twice: " + r.path());

        Path nearOut = tmp.resolve("near");
        ok(prepare(nearOut, "--dedupe", "near"));
        Manifest.Row near = Manifest.read(nearOut.resolve(Manifest.FILE_NAME)).stream()
                .filter(r -> r.path().equals("class2/smaller.jpg")).findFirst().orElseThrow();
        assertEquals("near-duplicate", near.status());
        assertEquals("", near.split());
    }
}
