package pinkcnn.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import pinkcnn.engine.backend.Backend;
import pinkcnn.engine.backend.ConvGeometry;
import pinkcnn.engine.backend.Storage;
import pinkcnn.engine.cpu.CpuBackend;

/**
 * The tuning cache ({@code bench --tune}'s output) as a backend reads it at start-up: a stored parameter set is what
 * the backend then reports and runs, with results still equal to the CPU backend's; a damaged file, or an entry the
 * backend cannot use, leaves the defaults and one warning. Each test has its own cache folder.
 */
class TuningCacheTest {
    private String oldCache;
    private Path cache;

    @BeforeEach
    void ownCache() throws Exception {
        oldCache = System.getProperty("pinkcnn.cache");
        cache = Files.createTempDirectory("pinkcnn-tuning");
        System.setProperty("pinkcnn.cache", cache.toString());
    }

    @AfterEach
    void restoreCache() {
        if (oldCache == null) System.clearProperty("pinkcnn.cache");
        else System.setProperty("pinkcnn.cache", oldCache);
    }

    /** For each parameter the first value of its search space that is not the default. */
    private static Map<String, Integer> otherThanDefaults(OpenClBackend b, String family) {
        Map<String, Integer> out = new LinkedHashMap<>();
        Map<String, Integer> d = b.defaultTuning(family);
        b.tuningSpace(family).forEach((k, values) ->
                out.put(k, values.stream().filter(v -> !v.equals(d.get(k))).findFirst().orElseThrow()));
        return out;
    }

    @Test
    void aStoredParameterSetIsReportedUsedAndCorrect() throws Exception {
        Map<String, Map<String, Integer>> tuned = new LinkedHashMap<>();
        DeviceInfo device;
        try (OpenClBackend first = OpenClTestDevice.open()) {
            device = first.device();
            assertTrue(first.tuningSource().startsWith("defaults"), first.tuningSource());
            for (String f : first.tunableFamilies()) tuned.put(f, otherThanDefaults(first, f));
        }
        TuningCache.write(TuningCache.file(), device, tuned, Map.of());
        try (OpenClBackend cl = new OpenClBackend(device); CpuBackend cpu = new CpuBackend(1)) {
            for (String f : cl.tunableFamilies()) {
                assertEquals(tuned.get(f), cl.tuning(f), f);
                assertNotEquals(cl.defaultTuning(f), cl.tuning(f), f);
            }
            assertTrue(cl.tuningSource().startsWith("tuned ") && cl.tuningSource().contains(TuningCache.FILE), cl.tuningSource());
            int builds = cl.programBuilds();
            // GEMM in both of v4's tile shapes (n ≤ 16 takes the narrow one) and a depthwise layer whose rows split
            // into several blocks of the tuned width
            gemmAgrees(cl, cpu, 37, 29, 23);
            gemmAgrees(cl, cpu, 49, 16, 40);
            depthwiseAgrees(cl, cpu, new ConvGeometry(2, 23, 23, 32, 3, 3, 1, 1, 1, 1, 1, 32));
            depthwiseAgrees(cl, cpu, new ConvGeometry(1, 30, 30, 16, 3, 3, 2, 0, 1, 0, 1, 16));
            assertTrue(cl.programBuilds() > builds, "the tuned programs were built");
        }
    }

    @Test
    void tilesSetByHandWinOverTunedOnes() throws Exception {
        DeviceInfo device;
        Map<String, Integer> tuned;
        String key;
        int byHand;
        try (OpenClBackend first = OpenClTestDevice.open()) {
            device = first.device();
            tuned = otherThanDefaults(first, OpenClBackend.GEMM);
            key = tuned.keySet().iterator().next();
            List<Integer> values = first.tuningSpace(OpenClBackend.GEMM).get(key);
            byHand = values.stream().filter(v -> !v.equals(tuned.get(key)) && !v.equals(first.defaultTuning(OpenClBackend.GEMM).get(key)))
                    .findFirst().orElseThrow();
        }
        TuningCache.write(TuningCache.file(), device, Map.of(OpenClBackend.GEMM, tuned), Map.of());
        System.setProperty("pinkcnn.opencl.tiles", key + "=" + byHand);
        try (OpenClBackend cl = new OpenClBackend(device)) {
            assertEquals(byHand, cl.tuning(OpenClBackend.GEMM).get(key), "the override");
            tuned.forEach((k, v) -> {
                if (!k.equals(key)) assertEquals(v, cl.tuning(OpenClBackend.GEMM).get(k), "tuned " + k);
            });
        } finally {
            System.clearProperty("pinkcnn.opencl.tiles");
        }
    }

    @Test
    void aDamagedCacheIsIgnoredWithOneWarning() throws Exception {
        Files.writeString(TuningCache.file(), "{\"version\": 1, \"devices\": {\"x\": ");
        String err = stderrOf(() -> {
            for (int i = 0; i < 2; i++) {
                try (OpenClBackend cl = OpenClTestDevice.open()) {
                    for (String f : cl.tunableFamilies()) assertEquals(cl.defaultTuning(f), cl.tuning(f), f);
                    assertTrue(cl.tuningSource().startsWith("defaults"), cl.tuningSource());
                }
            }
            return null;
        });
        assertEquals(1, err.lines().filter(l -> l.contains("ignoring the OpenCL tuning cache")).count(), err);
        assertTrue(err.contains(TuningCache.FILE), err);
    }

    @Test
    void anEntryTheBackendCannotUseLeavesTheDefaults() throws Exception {
        DeviceInfo device;
        try (OpenClBackend first = OpenClTestDevice.open()) {
            device = first.device();
        }
        TuningCache.write(TuningCache.file(), device, Map.of("gemm", Map.of("NO_SUCH_TILE", 3)), Map.of());
        String err = stderrOf(() -> {
            try (OpenClBackend cl = new OpenClBackend(device)) {
                for (String f : cl.tunableFamilies()) assertEquals(cl.defaultTuning(f), cl.tuning(f), f);
            }
            return null;
        });
        assertTrue(err.contains("ignoring the OpenCL tuning cache") && err.contains("NO_SUCH_TILE"), err);
    }

    @Test
    void writingKeepsOtherDevicesEntries() throws Exception {
        try (OpenClBackend cl = OpenClTestDevice.open()) {
            Files.writeString(TuningCache.file(), "{\"version\": 1, \"devices\": {\"another device\": {\"params\": {\"gemm\": {\"MR\": 6}}}}}");
            cl.useTuning(OpenClBackend.DEPTHWISE, Map.of("OWB", 3));
            cl.saveTuning(Map.of(OpenClBackend.DEPTHWISE, 1.1));
            String text = Files.readString(TuningCache.file());
            assertTrue(text.contains("another device") && text.contains("\"OWB\" : 3"), text);
            assertEquals(Map.of("OWB", 3), TuningCache.read(TuningCache.file(), cl.device()).params().get(OpenClBackend.DEPTHWISE));
            List<String> left = Files.list(cache).map(p -> p.getFileName().toString()).toList();
            assertEquals(List.of(TuningCache.FILE), left, "written through a temporary file renamed over it");
        }
    }

    private static String stderrOf(Supplier<Void> work) {
        PrintStream old = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            work.get();
        } finally {
            System.setErr(old);
        }
        return err.toString(StandardCharsets.UTF_8);
    }

    private static Storage[] pair(Backend a, Backend b, float[] v) {
        Storage x = a.allocate(v.length), y = b.allocate(v.length);
        a.write(x, 0, v, 0, v.length);
        b.write(y, 0, v, 0, v.length);
        return new Storage[] {x, y};
    }

    private static float[] random(int n, long seed) {
        Random r = new Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = r.nextFloat() * 2 - 1;
        return v;
    }

    private static void gemmAgrees(OpenClBackend cl, CpuBackend cpu, int m, int n, int k) {
        Storage[] a = pair(cl, cpu, random(m * k, 1)), b = pair(cl, cpu, random(k * n, 2));
        Storage c0 = cl.allocate((long) m * n), c1 = cpu.allocate((long) m * n);
        cl.gemm(false, false, m, n, k, 1f, a[0], 0, k, b[0], 0, n, 0f, c0, 0, n);
        cpu.gemm(false, false, m, n, k, 1f, a[1], 0, k, b[1], 0, n, 0f, c1, 0, n);
        close(read(cl, c0), read(cpu, c1), "gemm " + m + "x" + n + "x" + k);
    }

    private static void depthwiseAgrees(OpenClBackend cl, CpuBackend cpu, ConvGeometry g) {
        Storage[] x = pair(cl, cpu, random((int) g.inputSize(), 3)), w = pair(cl, cpu, random(9 * g.cin(), 4));
        Storage y0 = cl.allocate(g.outputSize()), y1 = cpu.allocate(g.outputSize());
        cl.depthwiseConv2d(g, x[0], w[0], y0);
        cpu.depthwiseConv2d(g, x[1], w[1], y1);
        close(read(cl, y0), read(cpu, y1), "depthwise " + g);
    }

    private static float[] read(Backend b, Storage s) {
        float[] v = new float[(int) s.size()];
        b.read(s, 0, v, 0, v.length);
        return v;
    }

    private static void close(float[] got, float[] want, String what) {
        for (int i = 0; i < want.length; i++) {
            assertTrue(Math.abs(got[i] - want[i]) <= 1e-4 + 1e-4 * Math.abs(want[i]), what + ": element " + i + " is "
                    + got[i] + ", the CPU backend's " + want[i]);
        }
    }
}
