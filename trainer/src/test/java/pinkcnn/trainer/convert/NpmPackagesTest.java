package pinkcnn.trainer.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pinkcnn.trainer.UserError;

class NpmPackagesTest {

    @TempDir
    Path tmp;

    @Test
    void namesTarballsAsNpmPackDoes() {
        assertEquals("nsfwjs-4.4.0.tgz", NpmPackages.tarballName("nsfwjs", "4.4.0"));
        assertEquals("tensorflow-tfjs-4.22.0.tgz", NpmPackages.tarballName("@tensorflow/tfjs", "4.22.0"));
    }

    @Test
    void usesACachedTarballWithoutRunningNpm() throws Exception {
        Path cached = tmp.resolve("nsfwjs-4.4.0.tgz");
        Files.writeString(cached, "cached");
        StringWriter log = new StringWriter();
        assertEquals(cached, NpmPackages.fetch("nsfwjs@4.4.0", tmp, new PrintWriter(log)));
        assertEquals("", log.toString(), "nothing fetched");
    }

    @Test
    void refusesSpecsThatAreNotPackageNames() {
        for (String spec : new String[] {"--registry=http://x", "a b", "../x", "nsfwjs@4.4.0;rm"}) {
            assertThrows(UserError.class, () -> NpmPackages.fetch(spec, tmp, new PrintWriter(new StringWriter())),
                    spec);
        }
    }
}
