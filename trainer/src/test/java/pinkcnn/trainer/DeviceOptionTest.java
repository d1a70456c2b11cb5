package pinkcnn.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import pinkcnn.engine.backend.Backend;
import pinkcnn.engine.cpu.CpuBackend;
import pinkcnn.kernels.OpenClBackend;
import pinkcnn.kernels.OpenClDevices;
import pinkcnn.kernels.OpenClUnavailableException;

/** {@code --device} and {@code pinkcnn devices}, with and without an OpenCL platform. */
class DeviceOptionTest {

    /** Skips without OpenCL, unless PINKCNN_REQUIRE_OPENCL=1 (CI), where that is a failure. */
    static void requireOpenCl() {
        try {
            OpenClDevices.list();
        } catch (OpenClUnavailableException e) {
            if ("1".equals(System.getenv("PINKCNN_REQUIRE_OPENCL"))) fail("PINKCNN_REQUIRE_OPENCL=1 but " + e.getMessage());
            Assumptions.abort("no OpenCL device: " + e.getMessage());
        }
    }

    static DeviceOption option(String device) {
        DeviceOption o = new DeviceOption();
        o.device = device;
        return o;
    }

    @Test
    void opensTheBackendItNames() {
        try (Backend b = option("cpu").open()) {
            assertInstanceOf(CpuBackend.class, b);
        }
        requireOpenCl();
        try (Backend b = option("opencl").open()) {
            assertInstanceOf(OpenClBackend.class, b);
        }
        try (Backend b = option("opencl:0:0").open()) {
            assertTrue(b.name().startsWith("opencl:0:0 "), b.name());
        }
        try (Backend b = option("auto").open()) {
            assertInstanceOf(OpenClBackend.class, b, "auto prefers an OpenCL device");
        }
    }

    @Test
    void badDevicesAreUserErrors() {
        UserError e = assertThrows(UserError.class, () -> option("tpu").open());
        assertEquals(2, e.exitCode());
        requireOpenCl();
        e = assertThrows(UserError.class, () -> option("opencl:9:9").open());
        assertTrue(e.getMessage().contains("no OpenCL device 9:9"), e.getMessage());
        assertThrows(UserError.class, () -> option("opencl:a:b").open());
    }

    @Test
    void devicesListsPlatformsDevicesAndLimits() {
        requireOpenCl();
        StringWriter out = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(out, true));
        assertEquals(0, cli.execute("devices"));
        String text = out.toString();
        assertTrue(text.contains("platform 0:") && text.contains("opencl:0:0") && text.contains("max work-group size")
                && text.contains("--device auto uses: opencl:"), text);
    }

    record Run(int exit, String out, String err) {}

    /** The CLI in a separate JVM whose OpenCL loader finds no driver (OCL_ICD_VENDORS names an empty folder). */
    static Run withoutOpenCl(Path emptyVendors, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("OCL_ICD_VENDORS", emptyVendors.toString());
        Process p = pb.start();
        p.getOutputStream().close();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the CLI finished");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8)
                .lines().filter(l -> !l.contains("Using incubator modules")).reduce("", (a, l) -> a + l + "\n");
        return new Run(p.exitValue(), out, err);
    }

    @Test
    void explicitOpenClWithoutAPlatformExitsWithCode2AndOneLine(@TempDir Path empty) throws Exception {
        requireOpenCl(); // the loader must exist for OCL_ICD_VENDORS to mean anything
        Run run = withoutOpenCl(empty, "bench", "--device", "opencl", "--op", "pool");
        assertEquals(2, run.exit(), run.err());
        assertEquals(1, run.err().lines().count(), run.err());
        assertTrue(run.err().startsWith("pinkcnn bench: no OpenCL platform found") && run.err().contains("apt-get install"),
                run.err());
    }

    @Test
    void autoWithoutAPlatformFallsBackToTheCpuBackend(@TempDir Path empty) throws Exception {
        requireOpenCl();
        // a given peak: measuring one would store it in the user's cache folder (the child JVM has no test cache)
        Run run = withoutOpenCl(empty, "bench", "--device", "auto", "--op", "pool", "--min-time", "0.01", "--peak-gflops", "100");
        assertEquals(0, run.exit(), run.err());
        assertTrue(run.err().contains("no OpenCL platform found") && run.err().contains("using the Java CPU backend"), run.err());
        assertTrue(run.out().contains("(cpu,"), run.out());
    }
}
