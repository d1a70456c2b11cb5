package pinkcnn.trainer.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pinkcnn.trainer.face.FacePhotos;
import pinkcnn.trainer.face.FaceTestData;
import pinkcnn.trainer.face.OffCentreSet;
import pinkcnn.trainer.face.Scenes;

/**
 * prepare with face crops, through the CLI, on LFW portraits pasted off-centre into cluttered pictures (made in a
 * temporary folder): the default crop when the detector is available, boxes in manifest.csv on the faces, photos
 * without a face skipped, photos with two faces listed (and with --faces all, one sample per face in one split), awkward
 * files (grey, alpha, EXIF-rotated), check's source boxes, and damaged detector weights refused before anything is
 * written.
 */
class PrepareFaceCropTest {
    @TempDir
    static Path tmp;
    static Path raw;
    /** Where each picture's pasted face is, by path relative to raw. */
    static final Map<String, OffCentreSet.Composite> TRUTH = new HashMap<>();

    @BeforeAll
    static void pictures() throws Exception {
        Path lfw = FaceTestData.requireLfw();
        FaceTestData.requireDetector();
        raw = tmp.resolve("raw");
        SplittableRandom r = new SplittableRandom(12);
        String[] people = {"Ariel_Sharon", "Hugo_Chavez", "Junichiro_Koizumi"};
        for (String person : people) {
            for (int i = 1; i <= 5; i++) {
                String name = String.format("%s_%04d", person, i);
                OffCentreSet.Composite c = OffCentreSet.compose(ImageDecoder.decode(lfw.resolve(person).resolve(name + ".jpg")), r);
                String rel = person + "/" + name + switch (i) {
                    case 2 -> ".png";   // grey
                    case 3 -> "_alpha.png";
                    case 4 -> "_rotated.jpg";
                    default -> ".jpg";
                };
                Path file = raw.resolve(rel);
                switch (i) {
                    case 2 -> FacePhotos.greyPng(file, c.picture());
                    case 3 -> FacePhotos.alphaPng(file, c.picture(), 20);
                    case 4 -> FacePhotos.rotatedJpeg(file, c.picture());
                    default -> FacePhotos.jpeg(file, c.picture());
                }
                TRUTH.put(rel, c);
            }
        }
        // a picture with no face, and one with two people (the subject larger)
        FacePhotos.jpeg(raw.resolve("Hugo_Chavez/clutter.jpg"), Scenes.clutter(640, 480, 99));
        RgbImage two = Scenes.clutter(640, 480, 98);
        Scenes.paste(two, ImageDecoder.decode(lfw.resolve("Ariel_Sharon/Ariel_Sharon_0006.jpg")), 40, 60, 330, false);
        Scenes.paste(two, ImageDecoder.decode(lfw.resolve("Gerhard_Schroeder/Gerhard_Schroeder_0001.jpg")), 430, 250, 180, false);
        FacePhotos.jpeg(raw.resolve("Ariel_Sharon/two_people.jpg"), two);
        TRUTH.put("Ariel_Sharon/two_people.jpg", new OffCentreSet.Composite(two, 40 + 0.275 * 330, 60 + 0.275 * 330,
                40 + 0.725 * 330, 60 + 0.725 * 330));
    }

    private static Cli prepare(Path out, String... more) {
        List<String> args = new java.util.ArrayList<>(List.of("--raw", raw.toString(), "--out", out.toString(), "--size", "32",
                "--augment", "2", "--no-progress", "--device", "cpu"));
        args.addAll(List.of(more));
        return Cli.run(new PrepareCommand(), args.toArray(new String[0]));
    }

    @Test
    void cropsAroundTheFacesByDefaultAndRecordsTheBoxes() throws Exception {
        Path out = tmp.resolve("out");
        long decodesBefore = ImageDecoder.decodes();
        Cli run = prepare(out);
        assertEquals(0, run.exitCode(), run.err() + run.out());
        try (java.util.stream.Stream<Path> files = Files.walk(raw)) {
            long photos = files.filter(Files::isRegularFile).count();
            assertEquals(photos, ImageDecoder.decodes() - decodesBefore, "each photo decoded once: the detector and the crop share it");
        }
        assertTrue(run.out().startsWith("crop: face (the default"), run.out());
        assertTrue(run.out().contains("crop face, margin 0.25"), run.out());
        assertTrue(run.out().contains("Hugo_Chavez/clutter.jpg: no face found"), run.out());
        assertTrue(run.out().contains("Several faces (the largest used; --faces all keeps each): "), run.out());
        assertTrue(run.out().contains("Ariel_Sharon/two_people.jpg: 2 faces"), run.out());

        List<Manifest.Row> rows = Manifest.read(out.resolve("manifest.csv"));
        assertTrue(Files.readAllLines(out.resolve("manifest.csv")).get(0).endsWith(",face_x0,face_y0,face_x1,face_y1,face_score"));
        int kept = 0;
        for (Manifest.Row row : rows) {
            if (row.path().equals("Hugo_Chavez/clutter.jpg")) {
                assertEquals("skipped", row.status());
                assertEquals("no face found", row.note());
                assertNull(row.face());
                continue;
            }
            assertEquals("kept", row.status(), row.toString());
            assertNotNull(row.face(), row.toString());
            OffCentreSet.Composite truth = TRUTH.get(row.path());
            assertTrue(truth.onFace(row.face().centreX(), row.face().centreY()), "box centre on the face: " + row);
            kept++;
        }
        assertEquals(16, kept);
        Manifest.Row two = rows.stream().filter(r -> r.path().endsWith("two_people.jpg")).findFirst().orElseThrow();
        assertEquals("several faces (2): the largest used", two.note());

        try (DatasetReader train = DatasetReader.open(out.resolve("train.h5"))) {
            assertEquals("face", train.attributes().get("preprocess_crop"));
            assertEquals("0.25", train.attributes().get("preprocess_face_margin"));
            assertEquals("largest", train.attributes().get("faces"));
            assertEquals(Preprocessing.Crop.FACE, train.preprocessing().orElseThrow().crop());
            long[] sources = train.sources().orElseThrow();
            for (int i = 0; i < train.count(); i++) {
                Manifest.Row row = rows.get((int) sources[i]);
                assertEquals("train", row.split());
                assertEquals(train.classes().indexOf(row.className()), train.label(i), "image " + i + " comes from " + row);
            }
        }

        // check draws each sample beside its photo with the face box
        Cli check = Cli.run(new CheckCommand(), out.resolve("train.h5").toString(), "--per-class", "2", "--tile", "48");
        assertEquals(0, check.exitCode(), check.err());
        assertTrue(check.out().contains("crop face, margin 0.25 (ssd_mobilenetv1"), check.out());
        assertTrue(check.out().contains("each beside its photo with the face box it was cropped around"), check.out());
        RgbImage sheet = ImageDecoder.decode(out.resolve("train-samples.png"));
        assertTrue(sheet.width() > 4 * 48, "two tiles per sample");
    }

    @Test
    void keepsEveryFaceInThePhotosSplitWithFacesAll() {
        Path out = tmp.resolve("all");
        Cli run = prepare(out, "--faces", "all");
        assertEquals(0, run.exitCode(), run.err() + run.out());
        List<Manifest.Row> rows = Manifest.read(out.resolve("manifest.csv")).stream()
                .filter(r -> r.path().endsWith("two_people.jpg")).toList();
        assertEquals(2, rows.size(), rows.toString());
        assertEquals(rows.get(0).split(), rows.get(1).split(), "both faces in one split");
        assertEquals("several faces: face 1 of 2", rows.get(0).note());
        assertTrue(run.out().contains("faces of"), "the summary counts faces: " + run.out());
    }

    @Test
    void refusesDamagedDetectorWeightsBeforeWritingAnything() throws Exception {
        Path bad = Files.write(tmp.resolve("bad.h5"), new byte[] {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n', 0, 0});
        Path out = tmp.resolve("refused");
        Cli run = prepare(out, "--crop", "face", "--detector", bad.toString());
        assertEquals(2, run.exitCode(), run.out());
        assertTrue(run.err().contains(bad.toString()), run.err());
        assertEquals(1, run.err().strip().lines().count(), run.err());
        assertFalse(Files.exists(out), "nothing written");
    }
}
