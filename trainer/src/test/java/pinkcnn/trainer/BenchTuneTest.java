package pinkcnn.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code pinkcnn bench --tune}: progress, the best parameters, the cache file, and later runs starting from it. */
class BenchTuneTest {
    @RegisterExtension
    static final OwnCache CACHE = new OwnCache();

    @Test
    void tuneStoresTheBestAndTheNextBenchUsesIt() throws Exception {
        DeviceOptionTest.requireOpenCl();
        BenchRun r = BenchRun.of("bench", "--tune", "--op", "depthwise", "--device", "opencl", "--min-time", "0");
        assertEquals(0, r.rc(), r.out() + r.err());
        assertTrue(r.out().contains("reference results from v1_direct"), r.out());
        assertTrue(r.out().contains("depthwise OWB="), "one progress line per candidate: " + r.out());
        assertTrue(r.out().contains("best depthwise:") && r.out().contains("as fast as the defaults"), r.out());
        assertTrue(Files.isRegularFile(OwnCache.dir().resolve("opencl-tuning.json")), "stored in the cache folder");

        BenchRun next = BenchRun.of("bench", "--device", "opencl", "--op", "depthwise", "--min-time", "0.01",
                "--peak-gflops", "100");
        assertEquals(0, next.rc(), next.out() + next.err());
        assertTrue(next.out().contains("kernel parameters:") && next.out().contains("tuned "), next.out());
    }

    @Test
    void tuneNeedsOpenClAndKernelOps() {
        BenchRun cpu = BenchRun.of("bench", "--tune", "--device", "cpu");
        assertEquals(2, cpu.rc(), cpu.out() + cpu.err());
        assertTrue(cpu.oneLineError() && cpu.err().contains("use --device opencl"), cpu.err());
        BenchRun model = BenchRun.of("bench", "--tune", "--model", "mobilenetv2", "--device", "cpu");
        assertEquals(2, model.rc(), model.err());
        assertTrue(model.err().contains("leave out --model"), model.err());
    }
}
