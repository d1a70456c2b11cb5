package pinkcnn.trainer.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Things outside the JVM some tests use: the shared data folder, and a Python with h5py for cross-checks. */
final class ExternalTools {

    private ExternalTools() {
    }

    /** {@code shared/datasets/lfw-demo} in the folder beside the repository (found by walking up from here). */
    static Optional<Path> lfwDemo() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path candidate = p.resolve("shared").resolve("datasets").resolve("lfw-demo");
            if (Files.isDirectory(candidate)) return Optional.of(candidate);
        }
        return Optional.empty();
    }

    /** A Python interpreter that can import h5py: /usr/bin/python3 first (where CI installs python3-h5py). */
    static Optional<String> pythonWithH5py() {
        for (String python : List.of("/usr/bin/python3", "python3", "python")) {
            try {
                Process p = new ProcessBuilder(python, "-c", "import h5py").redirectErrorStream(true).start();
                p.getInputStream().readAllBytes();
                if (p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0) return Optional.of(python);
            } catch (IOException e) {
                // not installed; try the next
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    /** Runs a Python script with arguments; returns its standard output, failing on a non-zero exit. */
    static String runPython(String python, String script, String... args) throws IOException, InterruptedException {
        List<String> cmd = new java.util.ArrayList<>(List.of(python, "-c", script));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(120, TimeUnit.SECONDS)) throw new IllegalStateException("python timed out");
        if (p.exitValue() != 0) throw new AssertionError("python failed:\n" + out);
        return out;
    }
}
