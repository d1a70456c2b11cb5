package pinkcnn.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ./pinkcnn} launcher, run by bash on a copy of the project holding only the launcher, jvm.options and a
 * "CLI" jar of {@link LauncherProbe}: the JVM's incubator-module warning is dropped while the rest of stderr passes
 * byte for byte; the JVM learns whether stderr is a terminal; the heap is half the machine's unless
 * PINKCNN_JAVA_OPTS, JAVA_TOOL_OPTIONS or JDK_JAVA_OPTIONS set one; the exit code passes through.
 */
class ReliabilityLauncherTest {
    static final String WARNING = "WARNING: Using incubator modules: jdk.incubator.vector";

    @TempDir
    static Path root;
    static Path launcher;

    @BeforeAll
    static void copyProject() throws IOException {
        assumeTrue(!System.getProperty("os.name").startsWith("Windows"), "the launcher is a bash script");
        Path repo = repositoryRoot();
        launcher = root.resolve("pinkcnn");
        Files.copy(repo.resolve("pinkcnn"), launcher);
        Files.copy(repo.resolve("jvm.options"), root.resolve("jvm.options"));
        Path jar = Files.createDirectories(root.resolve("trainer/target")).resolve("pinkcnn.jar");
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, LauncherProbe.class.getName());
        String entry = LauncherProbe.class.getName().replace('.', '/') + ".class";
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), manifest);
             InputStream in = LauncherProbe.class.getResourceAsStream("/" + entry)) {
            out.putNextEntry(new JarEntry(entry));
            in.transferTo(out);
            out.closeEntry();
        }
    }

    static Path repositoryRoot() {
        for (Path p = Paths.get("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("pinkcnn")) && Files.isRegularFile(p.resolve("jvm.options"))) return p;
        }
        throw new IllegalStateException("no ./pinkcnn above " + Paths.get("").toAbsolutePath());
    }

    record Run(int rc, String out, String err) {
        long heap() {
            return Long.parseLong(value("heap"));
        }

        String value(String key) {
            return out.lines().filter(l -> l.startsWith(key + "=")).findFirst().orElseThrow().substring(key.length() + 1);
        }
    }

    /** Runs {@code command} (the launcher by default) with stdout and stderr as pipes, in the project copy. */
    static Run run(Map<String, String> env, List<String> command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).directory(root.toFile());
        for (String v : List.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS", "PINKCNN_JAVA_OPTS")) pb.environment().remove(v);
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()));
        CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the launcher finished");
        return new Run(p.exitValue(), new String(out.get(), StandardCharsets.UTF_8), new String(err.get(), StandardCharsets.UTF_8));
    }

    static Run launch(Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("bash", launcher.toString()));
        command.addAll(List.of(args));
        return run(env, command);
    }

    private static byte[] readAll(InputStream in) {
        try (in) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Item 19: the warning is gone, everything else on stderr is unchanged; the exit code passes through. */
    @Test
    void theIncubatorWarningIsDroppedAndTheRestOfStderrKept() throws Exception {
        Run r = launch(Map.of(), "7", "two words");
        assertEquals(7, r.rc, r.err);
        assertEquals("probe: a line on stderr\nprobe: \rno newline at the end", r.err, "stderr without the warning, byte for byte");
        assertEquals("false", r.value("terminal"), "stderr was a pipe");
        assertEquals("7|two words", r.value("args"));
        assertEquals(root.toRealPath().toString(), Path.of(r.value("home")).toRealPath().toString());

        Run picked = launch(Map.of("JAVA_TOOL_OPTIONS", "-Dprobe.unused=1"));
        assertEquals(0, picked.rc, picked.err);
        assertTrue(picked.err.startsWith("Picked up JAVA_TOOL_OPTIONS: -Dprobe.unused=1\n"), "the JVM's own lines stay: " + picked.err);
        assertFalse(picked.err.contains(WARNING), picked.err);
    }

    /** Item 19: on a terminal (a pseudo-terminal from script(1)) the JVM is told so, and the warning is gone too. */
    @Test
    void onATerminalTheJvmIsToldSo() throws Exception {
        assumeTrue(System.getProperty("os.name").startsWith("Linux") && Files.isExecutable(Path.of("/usr/bin/script")),
                "script(1) from util-linux makes the terminal");
        Run r = run(Map.of(), List.of("/usr/bin/script", "-qec", "bash " + launcher + " 3", "/dev/null"));
        assertEquals(3, r.rc, r.out + r.err);
        assertTrue(r.out.contains("terminal=true"), r.out);
        assertFalse(r.out.contains(WARNING), r.out);
        assertTrue(r.out.contains("probe: a line on stderr"), r.out);
    }

    /**
     * Item 16: half the machine's memory by default; a heap set in PINKCNN_JAVA_OPTS, JAVA_TOOL_OPTIONS or
     * JDK_JAVA_OPTIONS is what the JVM gets (the launcher used to override it with -Xmx8g); PINKCNN_JAVA_OPTS is split
     * at spaces but not globbed.
     */
    @Test
    void theHeapIsTheUsersOrHalfTheMachines() throws Exception {
        long total = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getTotalMemorySize();
        long heap = launch(Map.of()).heap();
        assertTrue(heap > 0.40 * total && heap <= 0.51 * total, heap + " of " + total);
        for (String variable : List.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "PINKCNN_JAVA_OPTS")) {
            long mine = launch(Map.of(variable, "-Xmx200m")).heap();
            assertTrue(mine > 150L << 20 && mine <= 200L << 20, variable + ": " + mine);
        }
        Files.writeString(root.resolve("a-file"), "for the glob to match");
        Run r = launch(Map.of("PINKCNN_JAVA_OPTS", "-XX:MaxRAMPercentage=10 -Dprobe.glob=*"));
        assertEquals("*", r.value("glob"));
        assertTrue(r.heap() <= 0.11 * total, r.heap() + " of " + total);
    }
}
