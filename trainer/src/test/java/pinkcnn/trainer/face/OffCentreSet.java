package pinkcnn.trainer.face;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import pinkcnn.trainer.data.ImageDecoder;
import pinkcnn.trainer.data.RgbImage;
import pinkcnn.trainer.data.UnusableImageException;

/**
 * Builds a set of off-centre face photos from class folders of portraits (the LFW demo photos): each portrait is
 * pasted into a synthetic cluttered picture ({@link Scenes}) of about 640×480 (landscape, portrait or 4:3 at 800×600),
 * scaled so that its face — the central 45 % of an LFW photo — fills one fifth to two fifths of the picture's shorter
 * side, anywhere in the frame (the face wholly inside it), as a rectangle or a feathered oval. Written as JPEGs in the
 * same class folders, with {@code truth.csv}: each picture's face region ({@code face_x0 … face_y1}, pixels).
 *
 * <pre>
 * java -cp trainer/target/pinkcnn.jar:trainer/target/test-classes pinkcnn.trainer.face.OffCentreSet \
 *     ../shared/datasets/lfw-demo /tmp/offcentre [COPIES [SEED]]
 * </pre>
 * COPIES pictures are made of each portrait (default 1: a portrait in two splits would be a leak between them; more
 * copies are for speed measurements).
 */
public final class OffCentreSet {
    /** The share of an LFW photo's side its face takes, centred (LFW photos are centred on a detected face). */
    public static final double FACE_SHARE = 0.45;

    private OffCentreSet() {}

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: OffCentreSet PORTRAITS_DIR OUT_DIR [COPIES [SEED]]");
            System.exit(2);
        }
        Path in = Path.of(args[0]), out = Path.of(args[1]);
        int copies = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        long seed = args.length > 3 ? Long.parseLong(args[3]) : 7;
        List<Path> classes;
        try (Stream<Path> s = Files.list(in)) {
            classes = s.filter(Files::isDirectory).sorted().toList();
        }
        List<String> truth = new ArrayList<>();
        truth.add("path,class,face_x0,face_y0,face_x1,face_y1,width,height");
        SplittableRandom r = new SplittableRandom(seed);
        int n = 0;
        for (Path c : classes) {
            List<Path> photos;
            try (Stream<Path> s = Files.list(c)) {
                photos = s.filter(p -> p.toString().toLowerCase(Locale.ROOT).endsWith(".jpg")).sorted().toList();
            }
            Path dir = Files.createDirectories(out.resolve(c.getFileName()));
            for (Path p : photos) {
                RgbImage portrait;
                try {
                    portrait = ImageDecoder.decode(p);
                } catch (UnusableImageException e) {
                    throw new UncheckedIOException(new IOException(p + ": " + e.reason()));
                }
                for (int k = 0; k < copies; k++) {
                    String stem = p.getFileName().toString().replaceFirst("\\.[^.]+$", "") + (copies > 1 ? "_" + k : "");
                    String rel = c.getFileName() + "/" + stem + ".jpg";
                    Composite made = compose(portrait, r.split());
                    FacePhotos.jpeg(dir.resolve(stem + ".jpg"), made.picture());
                    truth.add(String.format(Locale.ROOT, "%s,%s,%.1f,%.1f,%.1f,%.1f,%d,%d", rel, c.getFileName(),
                            made.x0(), made.y0(), made.x1(), made.y1(), made.picture().width(), made.picture().height()));
                    n++;
                }
            }
        }
        Files.write(out.resolve("truth.csv"), truth, StandardCharsets.UTF_8);
        System.out.println("wrote " + n + " pictures of " + classes.size() + " classes and truth.csv into " + out);
    }

    /** A picture and the region of it where the pasted face is. */
    public record Composite(RgbImage picture, double x0, double y0, double x1, double y1) {
        public boolean onFace(double x, double y) {
            return x >= x0 && x <= x1 && y >= y0 && y <= y1;
        }
    }

    /** One picture with the portrait pasted into it at random. */
    public static Composite compose(RgbImage portrait, SplittableRandom r) {
        int[][] sizes = {{640, 480}, {640, 480}, {480, 640}, {800, 600}};
        int[] size = sizes[r.nextInt(sizes.length)];
        int w = size[0], h = size[1];
        RgbImage canvas = Scenes.clutter(w, h, r.nextLong());
        double faceSide = (0.2 + 0.2 * r.nextDouble()) * Math.min(w, h);
        int tile = (int) Math.round(faceSide / FACE_SHARE);
        int margin = (int) Math.round(tile * (1 - FACE_SHARE) / 2);   // tile edge to face edge
        int faceInt = tile - 2 * margin;
        int x = -margin + r.nextInt(Math.max(1, w - faceInt + 1)), y = -margin + r.nextInt(Math.max(1, h - faceInt + 1));
        Scenes.paste(canvas, portrait, x, y, tile, r.nextBoolean());
        return new Composite(canvas, x + margin, y + margin, x + margin + faceInt, y + margin + faceInt);
    }
}
