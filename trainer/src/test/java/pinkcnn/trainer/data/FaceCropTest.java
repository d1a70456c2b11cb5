package pinkcnn.trainer.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pinkcnn.trainer.face.Face;
import pinkcnn.trainer.face.FaceChoice;

/** The face crop's square, the face columns of manifest.csv, and the choice among several faces. */
class FaceCropTest {
    @TempDir
    Path tmp;

    @Test
    void cropsASquareAroundTheFaceGrownByTheMargin() {
        Preprocessing p = new Preprocessing(32, Preprocessing.Crop.FACE, 0.7, 0.25);
        Face face = new Face(100, 50, 160, 130, 0.9);          // 60 wide, 80 high, centre (130, 90)
        assertArrayEquals(new double[] {70, 30, 120, 120}, p.cropBox(640, 480, face), 1e-9);
        assertEquals("face, margin 0.25", p.describeCrop());
        assertThrows(IllegalStateException.class, () -> p.cropBox(640, 480));
        // a face at the corner: the square reaches past the photo, whose edge pixels repeat
        RgbImage photo = new RgbImage(20, 10, new byte[3 * 20 * 10]);
        assertEquals(32 * 32 * 3, p.apply(photo, new Face(0, 0, 6, 6, 0.8)).length);
        assertThrows(IllegalArgumentException.class, () -> new Preprocessing(32, Preprocessing.Crop.FACE, 0.7, -0.1));
    }

    @Test
    void manifestHasTheFaceColumnsAndReadsOldManifests() throws Exception {
        Path file = tmp.resolve("manifest.csv");
        Manifest.write(file, List.of(
                new Manifest.Row("a/1.jpg", "a", 0, "train", "kept", "aa", "01", "", new Face(1.24, 2, 30.5, 40.25, 0.98765)),
                new Manifest.Row("a/2.jpg", "a", 0, "", "skipped", "", "", "no face found")));
        List<String> lines = Files.readAllLines(file);
        assertEquals("path,class,label,split,status,sha256,phash,note,face_x0,face_y0,face_x1,face_y1,face_score", lines.get(0));
        assertEquals("a/1.jpg,a,0,train,kept,aa,01,,1.2,2.0,30.5,40.3,0.9877", lines.get(1));
        assertEquals("a/2.jpg,a,0,,skipped,,,no face found,,,,,", lines.get(2));
        List<Manifest.Row> rows = Manifest.read(file);
        assertEquals(30.5, rows.get(0).face().x1(), 1e-9);
        assertNull(rows.get(1).face());

        Path old = Files.writeString(tmp.resolve("old.csv"), "path,class,label,split,status,sha256,phash,note\n"
                + "a/1.jpg,a,0,dev,kept,aa,01,\n");
        assertEquals("dev", Manifest.read(old).get(0).split());
        assertEquals(java.util.Map.of("aa", Split.DEV), Manifest.splitsByHash(old));
    }

    @Test
    void choosesTheLargestTheMostConfidentOrEveryFace() {
        Face confident = new Face(0, 0, 10, 10, 0.99), large = new Face(50, 50, 90, 90, 0.7);
        List<Face> found = List.of(confident, large);   // the detector's order: most confident first
        assertEquals(List.of(large), FaceChoice.LARGEST.choose(found));
        assertEquals(List.of(confident), FaceChoice.BEST.choose(found));
        assertEquals(found, FaceChoice.ALL.choose(found));
        assertEquals(List.of(), FaceChoice.LARGEST.choose(List.of()));
    }
}
