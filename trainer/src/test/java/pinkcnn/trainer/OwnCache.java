package pinkcnn.trainer;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Points {@code pinkcnn.cache} at a fresh folder for one test class and back afterwards, so that what a command
 * stores there (measured peaks, converted weights) is the tests' own, not the user's.
 */
public final class OwnCache implements BeforeAllCallback, AfterAllCallback {
    private String old;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        old = System.getProperty("pinkcnn.cache");
        System.setProperty("pinkcnn.cache", Files.createTempDirectory("pinkcnn-cache").toString());
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (old == null) System.clearProperty("pinkcnn.cache");
        else System.setProperty("pinkcnn.cache", old);
    }

    /** The folder in use. */
    public static Path dir() {
        return Path.of(System.getProperty("pinkcnn.cache"));
    }
}
