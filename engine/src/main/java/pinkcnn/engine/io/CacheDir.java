package pinkcnn.engine.io;

import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Where pinkcnn's cache folder is: the system property {@code pinkcnn.cache}, else {@code $PINKCNN_CACHE}, else
 * {@code $XDG_CACHE_HOME/pinkcnn}, else {@code ~/.cache/pinkcnn}. Here rather than in the CLI so that the backends
 * find what is kept there for them (the OpenCL tuning cache) by the same rule.
 */
public final class CacheDir {
    private CacheDir() {}

    public static Path path() {
        String env = System.getProperty("pinkcnn.cache", System.getenv("PINKCNN_CACHE"));
        if (env != null && !env.isBlank()) return Paths.get(env).toAbsolutePath();
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Paths.get(xdg) : Paths.get(System.getProperty("user.home"), ".cache");
        return base.resolve("pinkcnn").toAbsolutePath();
    }
}
