package pinkcnn.engine.reference;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * The shared material beside the repository ({@code ../shared} from the repository root): pretrained weights and
 * reference activations. Tests that need it call {@link #require(String)}, which skips them only when the material
 * is absent.
 */
public final class SharedData {

    private SharedData() {}

    /** {@code ../shared} of the repository root (found from the working folder, a module's or the root's). */
    public static Path dir() {
        Path here = Paths.get("").toAbsolutePath();
        for (Path p = here; p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("pom.xml")) && Files.isDirectory(p.resolve("engine"))) {
                return p.resolveSibling("shared");
            }
        }
        return here.resolveSibling("shared");
    }

    /** A file under {@code ../shared}; skips the calling test when it is absent. */
    public static Path require(String relative) {
        Path file = dir().resolve(relative);
        assumeTrue(Files.exists(file), "shared material absent (" + file + "); this test needs it");
        return file;
    }

    /** The pretrained MobileNetV2 backbone (Keras layout). */
    public static Path mobilenetV2Weights() {
        return require("weights/mobilenet_v2_nsfwjs_no_top.h5");
    }
}
