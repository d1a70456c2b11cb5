package pinkcnn.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import picocli.CommandLine;

/** {@code pinkcnn bench --json}: the rows a user (or a plot script) reads, on the CPU backend and on OpenCL. */
class BenchCommandTest {
    /** What the bench measures and stores (peaks) goes into the tests' own cache folder. */
    @RegisterExtension
    static final OwnCache CACHE = new OwnCache();

    private static JsonNode benchJson(String... args) throws Exception {
        PrintStream old = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        int rc;
        try {
            rc = Main.commandLine().execute(args);
        } finally {
            System.setOut(old);
        }
        assertEquals(0, rc, out.toString(StandardCharsets.UTF_8));
        return new ObjectMapper().readTree(out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void cpuRowsHaveTimesAndRates() throws Exception {
        JsonNode results = benchJson("bench", "--device", "cpu", "--op", "depthwise", "--json", "--min-time", "0.01").get("results");
        assertEquals(3, results.size(), results.toString());
        for (JsonNode r : results) {
            assertEquals("depthwise", r.get("op").asText());
            assertTrue(r.get("median_ms").asDouble() > 0 && r.get("gbps").asDouble() > 0, r.toString());
        }
    }

    @Test
    void layerCasesTakeTheBatch() throws Exception {
        JsonNode results = benchJson("bench", "--device", "cpu", "--op", "depthwise,conv1x1", "--batch", "2", "--json",
                "--min-time", "0.01").get("results");
        Set<String> shapes = new HashSet<>();
        for (JsonNode r : results) shapes.add(r.get("shape").asText());
        assertTrue(shapes.contains("2x56x56x144 s1") && shapes.contains("2x112x112x32->16"), shapes.toString());
        // twice the work of batch 1: 2 images x 56x56 outputs x 144 channels x 9 taps x 2 flops
        for (JsonNode r : results) {
            if (r.get("shape").asText().equals("2x56x56x144 s1")) {
                assertEquals(2.0 * 56 * 56 * 144 * 9 * 2, r.get("gflops").asDouble() * r.get("median_ms").asDouble() * 1e6,
                        1e-3 * 2.0 * 56 * 56 * 144 * 9 * 2, r.toString());
            }
        }
        assertEquals(2, Main.commandLine().execute("bench", "--device", "cpu", "--op", "depthwise", "--batch", "0"));
    }

    @Test
    void variantNeedsABackendWithKernelVersions() {
        CommandLine cli = Main.commandLine();
        StringWriter err = new StringWriter();
        cli.setErr(new PrintWriter(err, true));
        assertEquals(2, cli.execute("bench", "--device", "cpu", "--op", "pool", "--variant", "--min-time", "0.01"));
        assertTrue(err.toString().contains("--variant compares OpenCL kernel versions: use --device opencl"), err.toString());
    }

    @Test
    void openClVariantsCopyReferenceAndLaunchOverhead() throws Exception {
        DeviceOptionTest.requireOpenCl();
        JsonNode all = benchJson("bench", "--device", "opencl", "--op", "depthwise", "--variant", "--json", "--min-time", "0.01");
        Set<String> ops = new HashSet<>();
        for (JsonNode r : all.get("results")) {
            ops.add(r.get("op").asText());
            assertTrue(r.get("median_ms").asDouble() > 0, r.toString());
        }
        for (String op : new String[] {"depthwise", "depthwise.v1_direct", "depthwise.v2_vec", "depthwise.v3_window", "depthwise.v4_rows", "memcopy",
                "launch", "launch+wait", "100 launches"}) {
            assertTrue(ops.contains(op), op + " missing from " + ops);
        }
        JsonNode ratios = all.get("depthwise_vs_copy");
        assertEquals(3, ratios.size(), all.toString());
        for (JsonNode r : ratios) {
            double f = r.get("fraction").asDouble();
            assertTrue(f > 0.01 && f < 10 && r.get("depthwise_gbps").asDouble() > 0 && r.get("copy_gbps").asDouble() > 0,
                    r.toString());
        }
    }
}
