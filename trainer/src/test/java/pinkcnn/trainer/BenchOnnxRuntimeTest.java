package pinkcnn.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import pinkcnn.engine.reference.SharedData;
import pinkcnn.trainer.export.OnnxRuntimeBench;

/**
 * {@code pinkcnn bench --model mobilenetv2 --against onnxruntime}: both runtimes' rows in text and JSON, the outputs
 * checked before timing (and a disagreement caught), the one-line errors. Small inputs (64×64, 96×96) and short
 * timings keep it fast; the figures themselves are in docs/kernels.md.
 */
class BenchOnnxRuntimeTest {

    private static List<String> args(String device, int size, int batch, String... extra) {
        List<String> a = new ArrayList<>(List.of("bench", "--model", "mobilenetv2", "--against", "onnxruntime", "--device",
                device, "--input-size", String.valueOf(size), "--batch", String.valueOf(batch), "--min-time", "0.05"));
        a.addAll(List.of(extra));
        return a;
    }

    private static JsonNode json(List<String> args) throws Exception {
        List<String> a = new ArrayList<>(args);
        a.add("--json");
        BenchRun r = BenchRun.of(a.toArray(String[]::new));
        assertEquals(0, r.rc(), r.err() + r.out());
        return new ObjectMapper().readTree(r.out());
    }

    private static void checkRows(JsonNode all, String device, int batch, int threads) {
        JsonNode rows = all.get("results");
        assertEquals(2, rows.size(), all.toString());
        assertEquals("pinkcnn", rows.get(0).get("runtime").asText());
        assertEquals("onnxruntime", rows.get(1).get("runtime").asText());
        for (JsonNode r : rows) {
            for (String f : new String[] {"runtime", "device", "batch", "threads", "images_per_s", "ms_per_image"}) {
                assertTrue(r.has(f), f + " missing from " + r);
            }
            assertEquals(batch, r.get("batch").asInt(), r.toString());
            assertEquals(threads, r.get("threads").asInt(), r.toString());
            double ips = r.get("images_per_s").asDouble(), ms = r.get("ms_per_image").asDouble();
            assertTrue(ips > 0 && Double.isFinite(ips) && Math.abs(ips * ms - 1000) < 1e-6 * 1000, r.toString());
        }
        assertTrue(rows.get(0).get("device").asText().startsWith(device), rows.toString());
        assertTrue(rows.get(1).get("device").asText().contains("ONNX Runtime"), rows.toString());
        assertTrue(all.get("max_error").asDouble() <= OnnxRuntimeBench.TOLERANCE, all.toString());
        assertTrue(all.get("max_abs_output").asDouble() > 0.5, "a model whose output is all zeros checks nothing: " + all);
        JsonNode ratio = all.get("ratio");
        double mid = ratio.get("pinkcnn_over_onnxruntime").asDouble();
        assertTrue(ratio.get("low").asDouble() <= mid && mid <= ratio.get("high").asDouble() && mid > 0, ratio.toString());
        assertTrue(ratio.get("pairs").asInt() >= 5, ratio.toString());
    }

    @Test
    void cpuRowsInJsonAtBatch1And2() throws Exception {
        checkRows(json(args("cpu", 64, 1, "--threads", "1")), "cpu", 1, 1);
        checkRows(json(args("cpu", 96, 2, "--threads", "2")), "cpu", 2, 2);
    }

    @Test
    void textShowsBothRuntimesAndTheRatio() {
        BenchRun r = BenchRun.of(args("cpu", 64, 2, "--threads", "1").toArray(String[]::new));
        assertEquals(0, r.rc(), r.err());
        assertTrue(r.out().contains("mobilenetv2 64x64 batch 2, 1 thread; outputs agree"), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("pinkcnn ") && l.contains("cpu")), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("onnxruntime ") && l.contains("ONNX Runtime")), r.out());
        assertTrue(r.out().contains("pinkcnn / onnxruntime: "), r.out());
    }

    /** The real weights: the same check on a trained network. */
    @Test
    void pretrainedWeightsAgree() throws Exception {
        String w = SharedData.mobilenetV2Weights().toString();
        checkRows(json(args("cpu", 96, 2, "--threads", "2", "--weights", w)), "cpu", 2, 2);
    }

    /** One weight changed in pinkcnn's model after the export: the runtimes disagree and nothing is timed. */
    @Test
    void disagreementFailsLoudly() {
        System.setProperty(OnnxRuntimeBench.CORRUPT_PROPERTY, "pinkcnn");
        BenchRun r;
        try {
            r = BenchRun.of(args("cpu", 64, 1, "--threads", "1").toArray(String[]::new));
        } finally {
            System.clearProperty(OnnxRuntimeBench.CORRUPT_PROPERTY);
        }
        assertEquals(1, r.rc(), r.out() + r.err());
        assertTrue(r.err().contains("pinkcnn and ONNX Runtime disagree") && r.err().contains("nothing was timed"), r.err());
        assertTrue(r.oneLineError(), r.err());
        assertTrue(r.out().isBlank(), "no figures after a failed check: " + r.out());
    }

    /**
     * {@code --per-block}: every MobileNetV2 block, the stem and the last convolution get a time in both runtimes (a
     * block without one would mean the names of one runtime's steps or nodes stopped mapping to blocks), in the
     * model's order, and the blocks add up to about a pass.
     */
    @Test
    void perBlockTimesEveryBlockInBothRuntimes() throws Exception {
        JsonNode all = json(args("cpu", 96, 1, "--threads", "1", "--per-block"));
        JsonNode blocks = all.get("blocks");
        List<String> names = new ArrayList<>();
        double pinkcnn = 0;
        for (JsonNode b : blocks) {
            String name = b.get("block").asText();
            names.add(name);
            if (name.equals("other")) continue;
            assertTrue(b.get("pinkcnn_ms").asDouble() > 0 && b.get("onnxruntime_ms").asDouble() > 0, b.toString());
            pinkcnn += b.get("pinkcnn_ms").asDouble();
        }
        List<String> expected = new ArrayList<>(List.of("stem"));
        for (int i = 0; i <= 16; i++) expected.add("block " + i);
        expected.add("Conv_1");
        assertEquals(expected, names.subList(0, expected.size()), names.toString());
        double pass = all.get("results").get(0).get("ms_per_image").asDouble();
        assertTrue(pinkcnn > 0.3 * pass && pinkcnn < 3 * pass, pinkcnn + " ms in the blocks, " + pass + " per pass");
        BenchRun text = BenchRun.of(args("cpu", 64, 1, "--threads", "1", "--per-block").toArray(String[]::new));
        assertEquals(0, text.rc(), text.err());
        assertTrue(text.out().contains("per block, mean of") && text.out().lines().anyMatch(l -> l.startsWith("block 16 ")),
                text.out());
        assertTrue(text.out().lines().anyMatch(l -> l.startsWith("sum ")), text.out());
    }

    @Test
    void unknownRuntimeAndMisuseAreOneLineErrors() {
        BenchRun r = BenchRun.of("bench", "--model", "mobilenetv2", "--against", "tensorflow", "--device", "cpu");
        assertEquals(2, r.rc());
        assertTrue(r.oneLineError() && r.err().contains("unknown --against 'tensorflow': use onnxruntime"), r.err());
        BenchRun noModel = BenchRun.of("bench", "--against", "onnxruntime", "--device", "cpu");
        assertEquals(2, noModel.rc());
        assertTrue(noModel.oneLineError() && noModel.err().contains("add --model mobilenetv2"), noModel.err());
        BenchRun perBlockAlone = BenchRun.of("bench", "--model", "mobilenetv2", "--per-block", "--device", "cpu");
        assertEquals(2, perBlockAlone.rc());
        assertTrue(perBlockAlone.oneLineError() && perBlockAlone.err().contains("add --against onnxruntime"),
                perBlockAlone.err());
    }

    @Test
    void openClRowsCarryPoclsThreadCount() throws Exception {
        DeviceOptionTest.requireOpenCl();
        JsonNode all = json(args("opencl", 64, 2));
        int threads = all.get("results").get(0).get("threads").asInt();
        checkRows(all, "opencl", 2, threads);
        // PoCL fixes its thread count at start-up: another --threads is refused, not silently ignored
        BenchRun r = BenchRun.of(args("opencl", 64, 1, "--threads", String.valueOf(threads + 1)).toArray(String[]::new));
        assertEquals(2, r.rc(), r.out());
        assertTrue(r.oneLineError() && r.err().contains("POCL_MAX_PTHREAD_COUNT"), r.err());
    }
}
