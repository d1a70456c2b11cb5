package pinkcnn.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import pinkcnn.engine.backend.Storage;

/** Programs are built once and cached; a broken kernel reports its file and the compiler log; profiling events. */
class ProgramAndProfilingTest {
    static OpenClBackend cl;

    @BeforeAll
    static void open() {
        cl = OpenClTestDevice.open();
    }

    @AfterAll
    static void close() {
        if (cl != null) cl.close();
    }

    @Test
    void programsAreBuiltOncePerContext() {
        Storage a = cl.allocate(1000), b = cl.allocate(1000);
        cl.add(1000, a, a, b);
        cl.relu(1000, 6f, a, b);
        int builds = cl.programBuilds();
        for (int i = 0; i < 5; i++) {
            cl.add(1000, a, a, b);
            cl.relu(1000, 6f, b, a);
            cl.fill(a, 1f);
        }
        cl.finish();
        assertEquals(builds, cl.programBuilds(), "no rebuilds for kernels already used");
    }

    @Test
    void aKernelThatFailsToBuildShowsItsFileAndTheCompilerLog() {
        KernelBuildException e = assertThrows(KernelBuildException.class, () -> cl.context().programs.build("broken.cl",
                "__kernel void broken(__global float* y) { y[0] = undefined_name; }", "-DVW=4"));
        assertTrue(e.getMessage().contains("broken.cl"), e.getMessage());
        assertTrue(e.getMessage().contains("undefined_name") || e.log().contains("undefined_name"),
                "the compiler log names the problem: " + e.log());
        assertTrue(e.getMessage().contains("-DVW=4"), e.getMessage());
    }

    /**
     * v4 packs B unless few rows read each panel once, or B is one panel in packed layout (then it reads B in place);
     * parity is GemmParityTest's.
     */
    @Test
    void gemmPacksBOnlyWhenPanelsAreReusedAcrossRowBlocks() {
        assumeTrue(cl.version(OpenClBackend.GEMM).equals("v4_packed"), "v4 is the default on CPU devices only");
        Storage a = cl.allocate(1024L * 320), b = cl.allocate(320L * 1280), c = cl.allocate(1024L * 1280);
        List<String> few = kernels(cl.profile(() -> cl.gemm(false, false, 49, 1280, 320, 1f, a, 0, 320, b, 0, 1280, 0f, c, 0, 1280)));
        List<String> many = kernels(cl.profile(() -> cl.gemm(false, false, 1024, 1280, 320, 1f, a, 0, 320, b, 0, 1280, 0f, c, 0, 1280)));
        List<String> transposed = kernels(cl.profile(() -> cl.gemm(false, true, 49, 320, 1280, 1f, c, 0, 1280, b, 0, 1280, 0f, a, 0, 320)));
        assertEquals(List.of("gemm_v4_packed"), few);
        Storage narrowB = cl.allocate(32L * 16);
        List<String> onePanel = kernels(cl.profile(() -> cl.gemm(false, false, 1024, 16, 32, 1f, a, 0, 32, narrowB, 0, 16, 0f, c, 0, 16)));
        assertEquals(List.of("gemm_v4_packed"), onePanel, "a 32×16 B is one packed panel already");
        assertEquals(List.of("gemm_pack_b", "gemm_v4_packed"), many);
        assertEquals(List.of("gemm_pack_b", "gemm_v4_packed"), transposed);
    }

    private static List<String> kernels(List<KernelTime> times) {
        return times.stream().map(KernelTime::kernel).toList();
    }

    @Test
    void profilingReportsTheDeviceTimeOfEachKernel() {
        int n = 64;
        Storage a = cl.allocate((long) n * n), b = cl.allocate((long) n * n), c = cl.allocate((long) n * n);
        List<KernelTime> times = cl.profile(() -> {
            cl.gemm(false, false, n, n, n, 1f, a, 0, n, b, 0, n, 0f, c, 0, n);
            cl.relu((long) n * n, 6f, c, c);
        });
        assertFalse(times.isEmpty());
        assertTrue(times.stream().anyMatch(t -> t.kernel().startsWith("gemm_")), times.toString());
        assertEquals("relu", times.get(times.size() - 1).kernel());
        for (KernelTime t : times) assertTrue(t.nanos() > 0, t.toString());
        // outside profile() nothing is recorded, and profile() can be used again
        cl.relu((long) n * n, 6f, c, c);
        assertEquals(1, cl.profile(() -> cl.relu((long) n * n, 6f, c, c)).size());
    }
}
