package pinkcnn.trainer.face;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pinkcnn.engine.reference.SharedData;
import pinkcnn.trainer.MainCli;
import pinkcnn.trainer.data.ImageDecoder;
import pinkcnn.trainer.data.RgbImage;

/**
 * A run trained on face crops, through the CLI: run.json records the crop, and predict finds each face of a new photo,
 * classifies it and gives its box (a photo without a face is reported, not guessed).
 */
class PredictFacesTest {
    @TempDir
    Path tmp;

    @Test
    void predictsEveryFaceOfAPhotoWithItsBox() throws Exception {
        Path lfw = FaceTestData.requireLfw();
        FaceTestData.requireDetector();
        Path weights = SharedData.mobilenetV2Weights();
        Path raw = tmp.resolve("raw");
        SplittableRandom r = new SplittableRandom(5);
        for (String person : new String[] {"Ariel_Sharon", "Hugo_Chavez", "Junichiro_Koizumi"}) {
            for (int i = 1; i <= 4; i++) {
                String name = String.format("%s_%04d", person, i + 10);
                OffCentreSet.Composite c = OffCentreSet.compose(ImageDecoder.decode(lfw.resolve(person).resolve(name + ".jpg")), r);
                FacePhotos.jpeg(raw.resolve(person).resolve(name + ".jpg"), c.picture());
            }
        }
        Path data = tmp.resolve("data"), run = tmp.resolve("run");
        MainCli.Result prepared = MainCli.cli("prepare", "--raw", raw.toString(), "--out", data.toString(), "--size", "96", "--augment", "2",
                "--no-progress", "--device", "cpu");
        assertEquals(0, prepared.rc(), prepared.err() + prepared.out());
        MainCli.Result trained = MainCli.cli("train", "--data", data.toString(), "--weights", weights.toString(), "--out", run.toString(),
                "--epochs", "1", "--batch", "8", "--quiet", "--device", "cpu");
        assertEquals(0, trained.rc(), trained.err());
        JsonNode cfg = new ObjectMapper().readTree(run.resolve("run.json").toFile());
        assertEquals("face", cfg.get("crop").asText());
        assertEquals(0.25, cfg.get("face").get("margin").asDouble());
        assertEquals("largest", cfg.get("face").get("faces").asText());

        // two people off-centre in one picture, and a picture without anyone
        RgbImage two = Scenes.clutter(640, 480, 21);
        Scenes.paste(two, ImageDecoder.decode(lfw.resolve("Hugo_Chavez/Hugo_Chavez_0020.jpg")), 20, 200, 260, false);
        Scenes.paste(two, ImageDecoder.decode(lfw.resolve("Ariel_Sharon/Ariel_Sharon_0020.jpg")), 380, 40, 220, true);
        Path twoFile = FacePhotos.jpeg(tmp.resolve("two.jpg"), two);
        Path empty = FacePhotos.jpeg(tmp.resolve("empty.jpg"), Scenes.clutter(320, 240, 22));
        Path png = tmp.resolve("drawn");
        MainCli.Result p = MainCli.cli("predict", "--run", run.toString(), "--device", "cpu", "--json", "--png", png.toString(),
                twoFile.toString(), empty.toString());
        assertEquals(1, p.rc(), "one photo has no face: " + p.err());
        assertTrue(p.err().contains("skipped " + empty + ": no face found"), p.err());
        JsonNode results = new ObjectMapper().readTree(p.out()).get("predictions");
        assertEquals(3, results.size(), p.out());
        FaceScenes.Placement[] placed = {new FaceScenes.Placement("", 20, 200, 260, false),
                new FaceScenes.Placement("", 380, 40, 220, true)};
        boolean[] seen = new boolean[2];
        for (int i = 0; i < 2; i++) {
            JsonNode face = results.get(i);
            assertEquals(twoFile.toString(), face.get("image").asText());
            assertEquals(2, face.get("faces").asInt());
            JsonNode box = face.get("box");
            double cx = (box.get(0).asDouble() + box.get(2).asDouble()) / 2, cy = (box.get(1).asDouble() + box.get(3).asDouble()) / 2;
            for (int k = 0; k < 2; k++) seen[k] |= FacePhotos.onFace(placed[k], cx, cy);
            assertTrue(face.has("class") && face.get("top").size() == 3, face.toString());
        }
        assertTrue(seen[0] && seen[1], "a box on each face: " + results);
        assertEquals("no face found", results.get(2).get("error").asText());
        assertTrue(Files.isRegularFile(png.resolve("two-predicted.png")));
    }
}
