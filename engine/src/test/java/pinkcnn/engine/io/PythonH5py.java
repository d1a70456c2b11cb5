package pinkcnn.engine.io;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a Python script with h5py (the reference HDF5 reader, on libhdf5) to cross-check the files pinkcnn writes
 * and to synthesise files in Keras' own layout. Tests using it skip when no Python with h5py is installed
 * (CI installs python3-h5py).
 */
final class PythonH5py {

    private static final String[] CANDIDATES = {"/usr/bin/python3", "python3"};
    private static String python;

    private PythonH5py() {}

    /** Skips the calling test if no Python 3 with h5py is found. */
    static synchronized String require() {
        if (python == null) {
            for (String candidate : CANDIDATES) {
                try {
                    Process p = new ProcessBuilder(candidate, "-c", "import h5py, numpy").redirectErrorStream(true).start();
                    p.getInputStream().readAllBytes();
                    if (p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0) {
                        python = candidate;
                        break;
                    }
                } catch (IOException | InterruptedException e) {
                    // try the next one
                }
            }
            if (python == null) python = "";
        }
        assumeTrue(!python.isEmpty(), "no python3 with h5py and numpy (apt install python3-h5py) — h5py cross-check skipped");
        return python;
    }

    /** Runs {@code script} with arguments; returns stdout, failing the test (with stderr) on a non-zero exit. */
    static String run(Path workDir, String script, String... args) throws IOException, InterruptedException {
        String py = require();
        Path file = workDir.resolve("check_" + Integer.toHexString(script.hashCode()) + ".py");
        Files.writeString(file, script);
        List<String> cmd = new ArrayList<>(List.of(py, file.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectError(workDir.resolve("stderr.txt").toFile()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("python timed out");
        }
        if (p.exitValue() != 0) {
            throw new AssertionError("python failed (exit " + p.exitValue() + "):\n" + out + "\n"
                    + Files.readString(workDir.resolve("stderr.txt")));
        }
        return out;
    }
}
