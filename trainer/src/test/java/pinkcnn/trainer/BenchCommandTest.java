package pinkcnn.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@code pinkcnn bench --json}: the rows a user (or a plot script) reads, on the CPU backend and on OpenCL. */
class BenchCommandTest {

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
    void openClVariantsCopyReferenceAndLaunchOverhead() throws Exception {
        DeviceOptionTest.requireOpenCl();
        JsonNode all = benchJson("bench", "--device", "opencl", "--op", "depthwise", "--variant", "--json", "--min-time", "0.01");
        Set<String> ops = new HashSet<>();
        for (JsonNode r : all.get("results")) {
            ops.add(r.get("op").asText());
            assertTrue(r.get("median_ms").asDouble() > 0, r.toString());
        }
        for (String op : new String[] {"depthwise", "depthwise.v1_direct", "depthwise.v2_vec", "depthwise.v3_window", "memcopy",
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
