package pinkcnn.trainer.face;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import pinkcnn.trainer.data.ImageDecoder;
import pinkcnn.trainer.data.RgbImage;
import pinkcnn.trainer.data.UnusableImageException;

/**
 * The pictures the face-detector fixtures were made from: LFW photos of ../shared/datasets/lfw-demo pasted into
 * synthetic cluttered backgrounds ({@link Scenes}), off-centre and at several sizes, plus one without a face. Only
 * numbers about them are committed (in {@code reference/faces/}); the pictures are rebuilt from the LFW photos.
 *
 * <p>{@code java -cp trainer/target/pinkcnn.jar:trainer/target/test-classes pinkcnn.trainer.face.FaceScenes OUT LFW}
 * writes each as {@code NAME.rgb} (raw RGB bytes, row-major) and {@code NAME.json} ({@code {"width", "height",
 * "sha256"}}) for {@code make_face_fixtures.cjs}.
 */
public final class FaceScenes {

    /** One LFW photo pasted as a {@code side × side} tile at (x, y). */
    public record Placement(String photo, int x, int y, int side, boolean oval) {}

    /** A picture: its size, background seed and pasted faces. */
    public record Scene(String name, int width, int height, long seed, List<Placement> faces) {}

    public static final List<Scene> SCENES = List.of(
            new Scene("landscape", 640, 480, 1, List.of(new Placement("Ariel_Sharon/Ariel_Sharon_0001.jpg", 360, 140, 240, false))),
            new Scene("portrait_two", 480, 640, 2, List.of(
                    new Placement("Hugo_Chavez/Hugo_Chavez_0001.jpg", 20, 380, 200, true),
                    new Placement("Gerhard_Schroeder/Gerhard_Schroeder_0001.jpg", 290, 40, 170, false))),
            new Scene("small", 320, 240, 3, List.of(new Placement("Junichiro_Koizumi/Junichiro_Koizumi_0001.jpg", 170, 20, 130, false))),
            new Scene("no_face", 512, 384, 4, List.of()));

    private FaceScenes() {}

    public static RgbImage render(Scene s, Path lfw) throws IOException {
        RgbImage canvas = Scenes.clutter(s.width(), s.height(), s.seed());
        for (Placement p : s.faces()) {
            RgbImage photo;
            try {
                photo = ImageDecoder.decode(lfw.resolve(p.photo()));
            } catch (UnusableImageException e) {
                throw new IOException(lfw.resolve(p.photo()) + ": " + e.reason());
            }
            Scenes.paste(canvas, photo, p.x(), p.y(), p.side(), p.oval());
        }
        return canvas;
    }

    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: FaceScenes OUT_DIR LFW_DEMO_DIR");
            System.exit(2);
        }
        Path out = Files.createDirectories(Path.of(args[0]));
        for (Scene s : SCENES) {
            RgbImage img = render(s, Path.of(args[1]));
            Files.write(out.resolve(s.name() + ".rgb"), img.rgb());
            Files.writeString(out.resolve(s.name() + ".json"), String.format(Locale.ROOT,
                    "{\"width\": %d, \"height\": %d, \"sha256\": \"%s\"}%n", img.width(), img.height(), sha256(img.rgb())),
                    StandardCharsets.UTF_8);
            System.out.println(out.resolve(s.name() + ".rgb") + " " + img.width() + "×" + img.height());
        }
    }
}
