package pinkcnn.trainer;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where pinkcnn keeps the face detector it converts from the npm package {@value #PACKAGE}: face-api.js' SSD
 * MobileNetV1 ({@code model/ssd_mobilenetv1_model}), converted on first use as the demo's backbone is.
 */
public final class DetectorWeights {
    public static final String PACKAGE = "@vladmandic/face-api@1.7.15";
    public static final String MODEL = "ssd_mobilenetv1";
    public static final String FILE = "ssd_mobilenetv1_faceapi.h5";
    /** The name {@code bench --model} and the docs use for the detector. */
    public static final String NAME = "ssd-mobilenetv1";

    private DetectorWeights() {}

    /** The converted weights in the cache (they may not exist yet). */
    public static Path path() {
        return Cache.dir().resolve("weights").resolve(FILE);
    }

    /** True when the converted weights are in the cache. */
    public static boolean available() {
        return Files.isRegularFile(path());
    }

    /**
     * The converted weights, converting them from the npm package on first use (with the user's npm, into the cache);
     * a {@link UserError} saying why when that fails (no npm, no network).
     */
    public static Path ensure(PrintWriter log) {
        Path w = path();
        if (Files.isRegularFile(w)) return w;
        try {
            Files.createDirectories(w.getParent());
        } catch (IOException e) {
            throw new UserError("cannot create " + w.getParent() + ": " + e.getMessage(), e);
        }
        log.println("Converting the face detector (" + MODEL + " of npm:" + PACKAGE + ") to " + w + " (once) …");
        log.flush();
        try {
            ConvertCommand.convert("npm:" + PACKAGE, MODEL, "all", w, false, new PrintWriter(PrintWriter.nullWriter()), log);
        } catch (IOException e) {
            throw new UserError("cannot convert the face detector: " + e.getMessage(), e);
        }
        return w;
    }
}
