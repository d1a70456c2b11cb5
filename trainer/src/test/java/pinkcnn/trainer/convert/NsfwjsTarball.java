package pinkcnn.trainer.convert;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The npm package nsfwjs@4.4.0 for tests: taken from pinkcnn's cache, or fetched into it once with npm pack. Tests
 * that need it skip only when it is not cached and npm is not installed.
 */
public final class NsfwjsTarball {

    public static final String SPEC = "nsfwjs@4.4.0";
    public static final String MODEL_FOLDER = "package/dist/models/mobilenet_v2/";

    private NsfwjsTarball() {}

    public static synchronized Path require() throws IOException {
        Path cached = NpmPackages.cacheDir().resolve(NpmPackages.tarballName("nsfwjs", "4.4.0"));
        if (Files.isRegularFile(cached)) return cached;
        assumeTrue(npmInstalled(), "npm is not installed and " + cached + " is not cached: the nsfwjs conversion "
                + "test needs one of them (install Node.js with npm)");
        return NpmPackages.fetch(SPEC, NpmPackages.cacheDir(), new PrintWriter(System.err, true));
    }

    /** Writes the package's dist/models/mobilenet_v2 files (JS-wrapped model and shard) into {@code folder}. */
    public static void extractModel(Path tgz, Path folder) throws IOException {
        Files.createDirectories(folder);
        Map<String, byte[]> files = TarGz.read(tgz, n -> n.startsWith(MODEL_FOLDER));
        for (Map.Entry<String, byte[]> e : files.entrySet()) {
            Files.write(folder.resolve(e.getKey().substring(MODEL_FOLDER.length())), e.getValue());
        }
    }

    /** Whether the {@code npm} command runs here (it fetches packages the cache does not hold yet). */
    public static boolean npmInstalled() {
        try {
            Process p = new ProcessBuilder("npm", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }
}
