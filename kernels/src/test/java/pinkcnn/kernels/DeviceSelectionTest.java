package pinkcnn.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Device listing and selection, and the one-line messages when OpenCL is missing. */
class DeviceSelectionTest {

    @Test
    void selectsByIndexAndPrefersAGpu() {
        OpenClTestDevice.open().close(); // skips (or fails on CI) without a device
        List<DeviceInfo> all = OpenClDevices.list();
        DeviceInfo first = all.get(0);
        assertEquals(first.spec(), OpenClDevices.select(first.spec()).spec());
        DeviceInfo auto = OpenClDevices.select("opencl");
        boolean anyGpu = all.stream().anyMatch(DeviceInfo::isGpu);
        assertEquals(anyGpu, auto.isGpu(), "opencl picks a GPU when there is one");
        assertTrue(first.maxWorkGroupSize() > 0 && first.computeUnits() > 0 && first.globalMemBytes() > 0, first.limits());
    }

    @Test
    void aMissingDeviceIndexNamesTheDevicesThereAre() {
        OpenClTestDevice.open().close();
        OpenClUnavailableException e = assertThrows(OpenClUnavailableException.class, () -> OpenClDevices.select("opencl:7:3"));
        assertTrue(e.getMessage().contains("no OpenCL device 7:3") && e.getMessage().contains("opencl:0:0"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> OpenClDevices.select("opencl:one:two"));
        assertThrows(IllegalArgumentException.class, () -> OpenClDevices.select("cuda"));
    }

    @Test
    void aMissingLibrarySaysWhatToInstall() {
        String m = OpenClDevices.libraryMissingMessage(new UnsatisfiedLinkError("Could not initialize native OpenCL library"));
        assertTrue(m.startsWith("no OpenCL library could be loaded") && m.contains("pocl-opencl-icd") && !m.contains("\n"), m);
    }

    /** Without a registered driver the ICD loader finds no platform: one line, with the install hint. */
    @Test
    void noPlatformGivesOneClearLine(@TempDir Path emptyVendors) throws IOException, InterruptedException {
        OpenClTestDevice.open().close();
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder pb = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                DeviceProbe.class.getName()).redirectErrorStream(true);
        pb.environment().put("OCL_ICD_VENDORS", emptyVendors.toString());
        Process p = pb.start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "probe finished");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertTrue(out.startsWith("unavailable: no OpenCL platform found") && out.contains("pocl-opencl-icd"), out);
        assertEquals(1, out.lines().count(), out);
    }

    /** Prints what {@link OpenClDevices#list()} says, for the subprocess above. */
    static final class DeviceProbe {
        public static void main(String[] args) {
            try {
                System.out.println("found: " + OpenClDevices.list());
            } catch (OpenClUnavailableException e) {
                System.out.println("unavailable: " + e.getMessage());
            }
        }
    }

    @Test
    void devicesDescribeTheirLimits() {
        OpenClTestDevice.open().close();
        for (DeviceInfo d : OpenClDevices.list()) {
            String text = d.summary() + "\n" + d.limits();
            assertTrue(text.contains(d.spec()) && text.contains("max work-group size") && text.contains("local memory"), text);
        }
    }
}
