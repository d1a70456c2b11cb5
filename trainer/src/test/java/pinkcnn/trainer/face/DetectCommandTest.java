package pinkcnn.trainer.face;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pinkcnn.trainer.MainCli;
import pinkcnn.trainer.data.ImageDecoder;
import pinkcnn.trainer.data.RgbImage;

/** {@code pinkcnn detect} on off-centre faces, on awkward files, and with damaged detector weights. */
class DetectCommandTest {

    @TempDir
    Path tmp;

    @Test
    void findsOffCentreFacesInEveryKindOfFile() throws Exception {
        Path lfw = FaceTestData.requireLfw();
        FaceTestData.requireDetector();
        FaceScenes.Scene landscape = FaceScenes.SCENES.get(0), two = FaceScenes.SCENES.get(1), none = FaceScenes.SCENES.get(3);
        RgbImage a = FaceScenes.render(landscape, lfw), b = FaceScenes.render(two, lfw), c = FaceScenes.render(none, lfw);
        Path dir = tmp.resolve("photos");
        List<Path> files = List.of(
                FacePhotos.jpeg(dir.resolve("landscape.jpg"), a),
                FacePhotos.jpeg(dir.resolve("two.jpg"), b),
                FacePhotos.greyPng(dir.resolve("grey.png"), a),
                FacePhotos.alphaPng(dir.resolve("alpha.png"), a, 100),
                FacePhotos.rotatedJpeg(dir.resolve("rotated.jpg"), a),
                FacePhotos.jpeg(dir.resolve("none.jpg"), c),
                FacePhotos.jpeg(dir.resolve("tiny.jpg"), new RgbImage(12, 9, new byte[3 * 12 * 9])),
                Files.writeString(dir.resolve("broken.jpg"), "not a photo"));
        Path png = tmp.resolve("drawn");
        String[] args = new String[files.size() + 6];
        args[0] = "detect";
        args[1] = "--device";
        args[2] = "cpu";
        args[3] = "--json";
        args[4] = "--png";
        args[5] = png.toString();
        for (int i = 0; i < files.size(); i++) args[6 + i] = files.get(i).toString();
        MainCli.Result run = MainCli.picocli(args);
        assertEquals(1, run.rc(), "one file is not a photo: " + run.err());
        assertTrue(run.err().contains("skipped " + files.get(7) + ": not an image"), run.err());
        JsonNode photos = new ObjectMapper().readTree(run.out()).get("photos");
        assertEquals(files.size(), photos.size());

        for (int i : new int[] {0, 2, 3, 4}) {   // the same picture as JPEG, grey PNG, PNG with alpha, rotated JPEG
            JsonNode faces = photos.get(i).get("faces");
            assertEquals(1, faces.size(), photos.get(i).toString());
            assertEquals(640, photos.get(i).get("width").asInt(), "EXIF orientation applied: " + photos.get(i));
            JsonNode box = faces.get(0).get("box");
            double cx = (box.get(0).asDouble() + box.get(2).asDouble()) / 2, cy = (box.get(1).asDouble() + box.get(3).asDouble()) / 2;
            assertTrue(FacePhotos.onFace(landscape.faces().get(0), cx, cy), "box centre on the face: " + photos.get(i));
            assertTrue(faces.get(0).get("score").asDouble() > 0.5);
        }
        JsonNode both = photos.get(1).get("faces");
        assertEquals(2, both.size(), photos.get(1).toString());
        for (FaceScenes.Placement p : two.faces()) {
            boolean hit = false;
            for (JsonNode f : both) {
                JsonNode box = f.get("box");
                hit |= FacePhotos.onFace(p, (box.get(0).asDouble() + box.get(2).asDouble()) / 2,
                        (box.get(1).asDouble() + box.get(3).asDouble()) / 2);
            }
            assertTrue(hit, p + " not found in " + both);
        }
        assertEquals(0, photos.get(5).get("faces").size(), "clutter only");
        assertEquals(0, photos.get(6).get("faces").size(), "12×9 pixels");
        assertTrue(photos.get(7).has("error"));

        RgbImage drawn = ImageDecoder.decode(png.resolve("two-faces.png"));
        assertEquals(480, drawn.width());
        assertTrue(Files.isRegularFile(png.resolve("rotated-faces.png")));
    }

    @Test
    void refusesDamagedDetectorWeightsBeforeWritingAnything() throws IOException {
        Path photo = FacePhotos.jpeg(tmp.resolve("p.jpg"), new RgbImage(64, 48, new byte[3 * 64 * 48]));
        Path png = tmp.resolve("drawn");
        Path text = Files.writeString(tmp.resolve("weights.h5"), "hello");
        MainCli.Result notHdf5 = MainCli.picocli("detect", "--device", "cpu", "--weights", text.toString(), "--png", png.toString(), photo.toString());
        assertEquals(2, notHdf5.rc());
        assertEquals(1, notHdf5.err().strip().lines().count(), notHdf5.err());
        assertTrue(notHdf5.err().contains(text + ": not an HDF5 file"), notHdf5.err());
        assertFalse(Files.exists(png), "nothing written");

        Path good = FaceTestData.requireDetector();
        byte[] all = Files.readAllBytes(good);
        Path truncated = Files.write(tmp.resolve("truncated.h5"), java.util.Arrays.copyOf(all, all.length / 2));
        MainCli.Result cut = MainCli.picocli("detect", "--device", "cpu", "--weights", truncated.toString(), "--png", png.toString(), photo.toString());
        assertEquals(2, cut.rc());
        assertTrue(cut.err().contains(truncated + ": truncated"), cut.err());
        assertFalse(Files.exists(png), "nothing written");
    }
}
