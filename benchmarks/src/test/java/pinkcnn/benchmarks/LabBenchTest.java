package pinkcnn.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import pinkcnn.engine.backend.Backend;
import pinkcnn.engine.backend.KernelLab;
import pinkcnn.engine.backend.NumberedVersions;
import pinkcnn.engine.backend.Storage;
import pinkcnn.engine.cpu.CpuBackend;
import pinkcnn.kernels.OpenClBackend;
import pinkcnn.kernels.OpenClUnavailableException;

/** The bench reaches a backend's kernel versions, device timing and copy kernel through {@link KernelLab} alone. */
class LabBenchTest {

    /** A CPU backend that claims a lab with two depthwise versions, recording what the bench asks of it. */
    private static final class FakeLab implements KernelLab {
        final List<String> used = new ArrayList<>();
        int copies;

        @Override
        public List<String> families() {
            return List.of(DEPTHWISE);
        }

        @Override
        public List<String> versions(String family) {
            if (!family.equals(DEPTHWISE)) throw new IllegalArgumentException(family);
            return List.of("vA", "vB");
        }

        @Override
        public String version(String family) {
            return used.isEmpty() ? "vA" : used.get(used.size() - 1);
        }

        @Override
        public void useVersion(String family, String version) {
            used.add(version);
        }

        /** 2 ms a call: the stream timer then times one run per sample. */
        @Override
        public long deviceNanos(Runnable work) {
            work.run();
            return 2_000_000;
        }

        @Override
        public void memoryCopyKernel(long n, Storage x, Storage y) {
            copies++;
        }
    }

    /** {@code cpu} for the backend contract, {@code lab} for the lab (a proxy: CpuBackend is final). */
    private static Backend labBackend(CpuBackend cpu, FakeLab lab) {
        return (Backend) Proxy.newProxyInstance(LabBenchTest.class.getClassLoader(), new Class<?>[] {Backend.class, KernelLab.class},
                (proxy, m, args) -> {
                    try {
                        boolean labs = m.getDeclaringClass() == KernelLab.class || m.getDeclaringClass() == NumberedVersions.class;
                        return m.invoke(labs ? lab : cpu, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    @Test
    void variantsCopyAndLaunchRowsComeFromTheLab() {
        FakeLab lab = new FakeLab();
        try (CpuBackend cpu = new CpuBackend(1)) {
            Backend b = labBackend(cpu, lab);
            assertTrue(LabBench.comparesVersions(b));
            List<LabBench.Timed> timed = LabBench.cases(b, new KernelCases(b), List.of("depthwise", "pool"), true);
            List<String> ops = timed.stream().map(t -> t.benchCase().op()).distinct().toList();
            assertEquals(List.of("depthwise.vA", "depthwise.vB", "memcopy", "launch", "launch+wait", "100 launches"), ops);
            for (LabBench.Timed t : timed) {
                if (t.benchCase().op().startsWith("depthwise.") || t.benchCase().op().equals("memcopy")) {
                    assertEquals(2.0, t.timer().timeMillis(t.benchCase().kernel()), 1e-12, "device time from the lab");
                }
            }
            assertTrue(lab.used.containsAll(List.of("vA", "vB")), lab.used.toString());
            assertEquals("vA", lab.version(KernelLab.DEPTHWISE), "each variant run restores the version it found");
            assertTrue(lab.copies > 0);
        }
    }

    @Test
    void aBackendWithoutALabGetsNoExtraCasesButItsVersions() {
        try (CpuBackend cpu = new CpuBackend(1)) {
            assertEquals(List.of(), LabBench.cases(cpu, new KernelCases(cpu), List.of("depthwise"), false));
            assertEquals(List.of(), LabBench.depthwiseCopyRatios(cpu, new KernelCases(cpu), 0.01));
            assertTrue(LabBench.comparesVersions(cpu));
            // the CPU's GEMM has one version: no rows, and no copy or launch rows without a lab
            assertEquals(List.of(), LabBench.cases(cpu, new KernelCases(cpu), List.of("gemm", "pool"), true));
        }
        Backend plain = (Backend) Proxy.newProxyInstance(LabBenchTest.class.getClassLoader(), new Class<?>[] {Backend.class},
                (proxy, m, args) -> m.getName().equals("name") ? "plain" : null);
        assertFalse(LabBench.comparesVersions(plain));
        assertThrows(IllegalArgumentException.class, () -> LabBench.cases(plain, null, List.of("gemm"), true));
    }

    /** The CPU backend's versions: a row per case and version, each switched on for its run; wall-clock timed. */
    @Test
    void cpuVariantsRunEachVersionAndRestoreTheDefault() {
        try (CpuBackend cpu = new CpuBackend(1)) {
            KernelCases cases = new KernelCases(cpu);
            List<String> ops = List.of("conv1x1", "depthwise", "block");
            Map<String, String> defaults = new HashMap<>();
            for (String f : List.of(CpuBackend.CONV, CpuBackend.DEPTHWISE, CpuBackend.BLOCK)) defaults.put(f, cpu.version(f));
            List<LabBench.Timed> timed = LabBench.cases(cpu, cases, ops, true);
            List<String> expected = new ArrayList<>();
            for (String op : ops) {
                String family = op.equals("conv1x1") ? CpuBackend.CONV : op;
                int n = cases.cases(op).size();
                for (String v : cpu.versions(family)) {
                    for (int i = 0; i < n; i++) expected.add(op + "." + v);
                }
            }
            assertEquals(expected, timed.stream().map(t -> t.benchCase().op()).toList());
            for (LabBench.Timed t : timed) {
                if (t.benchCase().op().startsWith("depthwise.")) {
                    assertTrue(t.timer().timeMillis(t.benchCase().kernel()) > 0, t.benchCase().toString());
                }
            }
            KernelVersions versions = KernelVersions.of(cpu);
            for (String family : defaults.keySet()) {
                assertEquals(family, versions.family(family.equals(CpuBackend.CONV) ? "conv3x3" : family));
                for (String v : cpu.versions(family)) {
                    versions.backend().withVersion(family, v, () -> assertEquals(v, cpu.version(family)));
                    assertEquals(defaults.get(family), cpu.version(family), family + " back to its default");
                }
            }
            assertEquals(null, versions.family("gemm"), "one GEMM on the CPU");
        }
    }

    /** The default OpenCL device; skips without one, unless PINKCNN_REQUIRE_OPENCL=1 (CI), where that fails. */
    private static OpenClBackend openCl() {
        try {
            return OpenClBackend.open("opencl");
        } catch (OpenClUnavailableException e) {
            if ("1".equals(System.getenv("PINKCNN_REQUIRE_OPENCL"))) fail("PINKCNN_REQUIRE_OPENCL=1 but " + e.getMessage());
            Assumptions.abort("no OpenCL device: " + e.getMessage());
            throw e; // not reached
        }
    }

    @Test
    void theOpenClBackendIsALabAndTheVariantsAreItsVersions() {
        try (OpenClBackend cl = openCl()) {
            KernelLab lab = assertInstanceOf(KernelLab.class, (Backend) cl);
            assertEquals(List.of(KernelLab.GEMM, KernelLab.DEPTHWISE, KernelLab.BLOCK), lab.families());
            for (String family : List.of(KernelLab.DEPTHWISE, KernelLab.BLOCK)) {
                List<String> variants = new ArrayList<>();
                for (LabBench.Timed t : LabBench.cases(cl, new KernelCases(cl), List.of(family), true)) {
                    String op = t.benchCase().op();
                    if (op.startsWith(family + ".") && !variants.contains(op)) variants.add(op);
                }
                assertEquals(lab.versions(family).stream().map(v -> family + "." + v).toList(), variants);
            }
            Storage x = cl.allocate(1 << 16), y = cl.allocate(1 << 16);
            assertTrue(lab.deviceNanos(() -> lab.memoryCopyKernel(1 << 16, x, y)) > 0, "profiled device time");
        }
    }
}
