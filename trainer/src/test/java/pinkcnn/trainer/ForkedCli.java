package pinkcnn.trainer;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the CLI in a child JVM with a heap of its own (e.g. {@code -Xmx64m}), for tests of what a command does with
 * little memory; the child gets this JVM's module and JIT options and class path.
 */
public final class ForkedCli {
    private ForkedCli() {}

    /** Exit code and printed text of one run. */
    public record Result(int rc, String out, String err) {}

    /** {@code java HEAP … pinkcnn.trainer.Main ARGS}, not started. */
    public static ProcessBuilder command(String heap, String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), heap));
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("--add-modules") || a.startsWith("-XX:CompileCommand")) cmd.add(a);
        }
        cmd.addAll(List.of("-Dpinkcnn.stderr.terminal=false", "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd);
    }

    /** The JVM's start-up line about the Vector API's incubator module removed, as the launcher does. */
    public static String withoutIncubatorWarning(String stderr) {
        return stderr.replaceFirst("^WARNING: Using incubator modules: jdk.incubator.vector\\R", "");
    }

    /** Runs to the end (at most {@code timeoutSeconds}), its output kept in files under {@code dir}. */
    public static Result run(Path dir, int timeoutSeconds, String heap, String... args) throws IOException, InterruptedException {
        Path out = Files.createTempFile(dir, "stdout", ".txt"), err = Files.createTempFile(dir, "stderr", ".txt");
        Process p = command(heap, args).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError("pinkcnn " + String.join(" ", args) + " ran past " + timeoutSeconds + " s: "
                    + Files.readString(err));
        }
        return new Result(p.exitValue(), Files.readString(out), withoutIncubatorWarning(Files.readString(err)));
    }
}
