package pinkcnn.trainer.face;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import pinkcnn.trainer.DetectorWeights;
import pinkcnn.trainer.convert.NpmPackages;
import pinkcnn.trainer.convert.NsfwjsTarball;

/**
 * What the face tests need from outside the repository: the LFW demo photos (../shared/datasets/lfw-demo) and the
 * detector weights, converted from the npm package into pinkcnn's cache (fetched once with npm when not cached).
 * Tests skip, saying why, when either cannot be had.
 */
public final class FaceTestData {
    private FaceTestData() {}

    public static Optional<Path> lfwDemo() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path candidate = p.resolve("shared").resolve("datasets").resolve("lfw-demo");
            if (Files.isDirectory(candidate)) return Optional.of(candidate);
        }
        return Optional.empty();
    }

    public static Path requireLfw() {
        Optional<Path> lfw = lfwDemo();
        assumeTrue(lfw.isPresent(), "../shared/datasets/lfw-demo is absent: the face tests paste its photos into pictures");
        return lfw.get();
    }

    /** The converted detector weights in the cache, converting them on first use; skips when that is impossible. */
    public static synchronized Path requireDetector() {
        if (DetectorWeights.available()) return DetectorWeights.path();
        Path tgz = NpmPackages.cacheDir().resolve("vladmandic-face-api-1.7.15.tgz");
        assumeTrue(Files.isRegularFile(tgz) || NsfwjsTarball.npmInstalled(), "npm is not installed and " + tgz + " is not cached: "
                + "the face-detector tests need one of them (install Node.js with npm)");
        return DetectorWeights.ensure(new PrintWriter(System.err, true));
    }

    /** The npm tarball of face-api (from the cache, fetched with npm pack when missing); skips without npm. */
    public static synchronized Path requireFaceApiTarball() throws IOException {
        Path tgz = NpmPackages.cacheDir().resolve("vladmandic-face-api-1.7.15.tgz");
        if (Files.isRegularFile(tgz)) return tgz;
        assumeTrue(NsfwjsTarball.npmInstalled(), "npm is not installed and " + tgz + " is not cached: the face-api tests need one of them");
        return NpmPackages.fetch(DetectorWeights.PACKAGE, NpmPackages.cacheDir(), new PrintWriter(System.err, true));
    }
}
