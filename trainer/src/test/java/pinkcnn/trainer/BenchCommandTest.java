package pinkcnn.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import pinkcnn.benchmarks.KernelCases;
import pinkcnn.benchmarks.LabBench;
import pinkcnn.engine.cpu.CpuBackend;

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

    /** On the CPU {@code --variant} times each case once per version of its family, beside the default rows. */
    @Test
    void cpuVariantsTimeEveryVersionOfEachCase() throws Exception {
        JsonNode results = benchJson("bench", "--device", "cpu", "--threads", "1", "--variant", "--op", "depthwise,block",
                "--min-time", "0.01", "--json").get("results");
        Map<String, List<String>> shapes = new LinkedHashMap<>();
        for (JsonNode r : results) {
            shapes.computeIfAbsent(r.get("op").asText(), k -> new ArrayList<>()).add(r.get("shape").asText());
            assertTrue(r.get("median_ms").asDouble() > 0 && r.get("gflops").asDouble() > 0, r.toString());
        }
        assertEquals(List.of("depthwise", "block", "depthwise.v1_taps", "depthwise.v2_rows", "block.v1_layers",
                "block.v2_fused", "block.v3_blocked"), List.copyOf(shapes.keySet()), "every version of each op, no copy or launch rows");
        assertEquals(3, shapes.get("depthwise").size());
        assertEquals(17, shapes.get("block").size());
        for (String op : shapes.keySet()) {
            assertEquals(shapes.get(op.replaceAll("\\..*", "")), shapes.get(op), op + ": each case once per version");
        }
    }

    /**
     * A version's row switches the backend back to the default after each run, so the rows timed after it (and
     * anything else on the backend) run the default. The oldest versions' rows alone, as the last version listed is
     * the default anyway.
     */
    @Test
    void cpuVariantsRestoreTheDefaultVersion() {
        try (CpuBackend cpu = new CpuBackend(1)) {
            List<String> families = List.of(CpuBackend.CONV, CpuBackend.DEPTHWISE, CpuBackend.BLOCK);
            Map<String, String> defaults = new LinkedHashMap<>();
            for (String f : families) defaults.put(f, cpu.version(f));
            assertEquals(List.of("v4_wide", "v2_rows", "v3_blocked"), List.copyOf(defaults.values()));
            Set<String> ran = new HashSet<>();
            for (LabBench.Timed t : LabBench.cases(cpu, new KernelCases(cpu), List.of("conv1x1", "depthwise", "block"), true)) {
                String op = t.benchCase().op(), shape = t.benchCase().shape();
                if (op.contains(".v1_") && (shape.startsWith("#0 ") || shape.startsWith("14x14") || shape.startsWith("7x7"))) {
                    t.benchCase().kernel().run();
                    ran.add(op);
                }
            }
            assertEquals(Set.of("conv1x1.v1_gemm", "depthwise.v1_taps", "block.v1_layers"), ran);
            for (String f : families) assertEquals(defaults.get(f), cpu.version(f), f + " back to its default");
        }
    }

    /** {@code --op block}: MobileNetV2's 17 inverted-residual blocks, with the work of each counted. */
    @Test
    void blockCasesAreMobileNetV2sBlocks() throws Exception {
        JsonNode results = benchJson("bench", "--device", "cpu", "--threads", "1", "--op", "block", "--batch", "2",
                "--min-time", "0.01", "--json").get("results");
        assertEquals(17, results.size(), results.toString());
        Map<String, JsonNode> byShape = new LinkedHashMap<>();
        for (JsonNode r : results) {
            assertEquals("block", r.get("op").asText());
            assertTrue(r.get("median_ms").asDouble() > 0 && r.get("gflops").asDouble() > 0 && r.get("gbps").asDouble() > 0,
                    r.toString());
            byShape.put(r.get("shape").asText(), r);
        }
        assertTrue(byShape.containsKey("#0 2x112x112x32->16") && byShape.containsKey("#1 2x112x112x16->24 s2")
                && byShape.containsKey("#2 2x56x56x24->24 res") && byShape.containsKey("#16 2x7x7x160->320"),
                byShape.keySet().toString());
        // block 1: expand 16->96 on 112x112, depthwise 3x3 stride 2 to 56x56, project 96->24; 2 images
        double macs = 2.0 * (112 * 112 * 16 * 96 + 9 * 56 * 56 * 96 + 56 * 56 * 96 * 24);
        JsonNode b1 = byShape.get("#1 2x112x112x16->24 s2");
        assertEquals(2 * macs, b1.get("gflops").asDouble() * b1.get("median_ms").asDouble() * 1e6, 1e-3 * 2 * macs,
                b1.toString());
        double bytes = 4.0 * (2 * 112 * 112 * 16 + 2 * 56 * 56 * 24 + 16 * 96 + 2 * 96 + 11 * 96 + 96 * 24 + 2 * 24);
        assertEquals(bytes, b1.get("gbps").asDouble() * b1.get("median_ms").asDouble() * 1e6, 1e-3 * bytes, b1.toString());
    }

    /** No longer refused on the CPU ("--variant compares OpenCL kernel versions"); an op without versions keeps its rows. */
    @Test
    void cpuVariantOfAnOpWithoutVersions() throws Exception {
        JsonNode results = benchJson("bench", "--device", "cpu", "--op", "channel", "--variant", "--min-time", "0.01",
                "--json").get("results");
        assertEquals(2, results.size(), results.toString());
        for (JsonNode r : results) assertEquals("channel", r.get("op").asText());
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
