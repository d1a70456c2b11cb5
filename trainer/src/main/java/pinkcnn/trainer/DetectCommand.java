package pinkcnn.trainer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import pinkcnn.engine.backend.Backend;
import pinkcnn.trainer.data.ImageDecoder;
import pinkcnn.trainer.data.RgbImage;
import pinkcnn.trainer.data.UnusableImageException;
import pinkcnn.trainer.face.Face;
import pinkcnn.trainer.face.FaceDetector;
import pinkcnn.trainer.face.FacePictures;

/** {@code pinkcnn detect}: the faces in photos, found by face-api.js' SSD MobileNetV1 running on pinkcnn's engine. */
@Command(name = "detect", mixinStandardHelpOptions = true,
        description = {"Find the faces in photos: each face's box (pixels of the photo as decoded, EXIF orientation "
                + "applied) and score, with face-api.js' SSD MobileNetV1 detector on pinkcnn's engine.",
                "The detector's weights are converted from the npm package " + DetectorWeights.PACKAGE
                        + " on first use (needs npm once; cached)."})
public final class DetectCommand implements Callable<Integer> {
    /** Photos decoded and detected together. */
    private static final int CHUNK = 2 * FaceDetector.BATCH;

    @Mixin DeviceOption device;

    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "PHOTO", description = "Photos (JPEG, PNG, GIF, BMP, WebP).")
    List<Path> photos;

    @Option(names = "--json", description = "Print JSON instead of text.")
    boolean json;

    @Option(names = "--png", paramLabel = "DIR", description = "Write each photo with its faces drawn to DIR/NAME-faces.png.")
    Path png;

    @Option(names = "--min-score", paramLabel = "S",
            description = "Report faces scoring above S (face-api's minConfidence). Default: ${DEFAULT-VALUE}.")
    double minScore = FaceDetector.DEFAULT_MIN_SCORE;

    @Option(names = "--weights", paramLabel = "FILE.h5",
            description = "Detector weights (default: converted from " + DetectorWeights.PACKAGE + " into the cache).")
    Path weights;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        if (png != null && Files.exists(png) && !Files.isDirectory(png)) throw new UserError(png + " exists and is not a folder");
        Path w = weights != null ? weights : DetectorWeights.ensure(err);
        List<Map<String, Object>> results = new ArrayList<>();
        int failed = 0;
        try (Backend backend = device.open()) {
            FaceDetector detector = FaceDetector.load(backend, w, minScore); // a bad file stops here, before any output
            if (png != null) Files.createDirectories(png);
            // a few photos at a time: the network runs them as one batch, memory holds only these
            for (int from = 0; from < photos.size(); from += CHUNK) {
                List<Path> chunk = photos.subList(from, Math.min(photos.size(), from + CHUNK));
                List<RgbImage> decoded = new ArrayList<>();
                List<Map<String, Object>> rows = new ArrayList<>();
                for (Path p : chunk) {
                    Map<String, Object> r = new LinkedHashMap<>();
                    r.put("image", p.toString());
                    try {
                        decoded.add(ImageDecoder.decode(p));
                    } catch (UnusableImageException e) {
                        err.println("skipped " + p + ": " + e.reason());
                        r.put("error", e.reason());
                        decoded.add(null);
                        failed++;
                    }
                    rows.add(r);
                }
                List<RgbImage> ok = decoded.stream().filter(java.util.Objects::nonNull).toList();
                List<List<Face>> found = detector.detect(ok);
                for (int i = 0, k = 0; i < chunk.size(); i++) {
                    Map<String, Object> r = rows.get(i);
                    results.add(r);
                    RgbImage photo = decoded.get(i);
                    if (photo == null) continue;
                    List<Face> faces = found.get(k++);
                    r.put("width", photo.width());
                    r.put("height", photo.height());
                    List<Map<String, Object>> list = new ArrayList<>();
                    for (Face f : faces) list.add(json(f));
                    r.put("faces", list);
                    if (png != null) {
                        Path file = png.resolve(stem(chunk.get(i)) + "-faces.png");
                        List<FacePictures.Box> boxes = new ArrayList<>();
                        for (int j = 0; j < faces.size(); j++) {
                            boxes.add(new FacePictures.Box(faces.get(j), String.format(Locale.ROOT, "%d  %.2f", j + 1, faces.get(j).score())));
                        }
                        FacePictures.write(file, photo, boxes);
                        r.put("png", file.toString());
                    }
                    if (!json) print(out, r, faces);
                }
                out.flush();
            }
        }
        if (json) {
            out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsString(Map.of("detector", "ssd_mobilenetv1 (face-api.js)", "min_score", minScore, "photos", results)));
        }
        out.flush();
        return failed == 0 ? 0 : 1;
    }

    private static void print(PrintWriter out, Map<String, Object> r, List<Face> faces) {
        out.printf(Locale.ROOT, "%s (%d×%d): %s%n", r.get("image"), (Integer) r.get("width"), (Integer) r.get("height"),
                faces.isEmpty() ? "no face found" : faces.size() == 1 ? "1 face" : faces.size() + " faces");
        for (int i = 0; i < faces.size(); i++) {
            Face f = faces.get(i);
            out.printf(Locale.ROOT, "  %2d  box %4.0f,%-4.0f → %4.0f,%-4.0f (%.0f×%.0f)  score %.3f%n", i + 1, f.x0(), f.y0(),
                    f.x1(), f.y1(), f.width(), f.height(), f.score());
        }
        if (r.containsKey("png")) out.println("  drawn: " + r.get("png"));
    }

    /** A face as JSON: box [x0, y0, x1, y1] in pixels (one decimal) and score. */
    public static Map<String, Object> json(Face f) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("box", List.of(round(f.x0()), round(f.y0()), round(f.x1()), round(f.y1())));
        m.put("score", Math.round(f.score() * 10000) / 10000.0);
        return m;
    }

    private static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }

    static String stem(Path p) {
        String n = p.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 ? n.substring(0, dot) : n;
    }
}
