package pinkcnn.trainer;

import java.nio.file.Path;
import pinkcnn.trainer.Cache;

/** Where pinkcnn keeps the pretrained backbone it converts from the nsfwjs npm package. */
public final class DefaultWeights {
    public static final String PACKAGE = "nsfwjs@4.4.0";
    public static final String FILE = "mobilenet_v2_nsfwjs_no_top.h5";

    private DefaultWeights() {}

    public static Path path() {
        return Cache.dir().resolve("weights").resolve(FILE);
    }
}
