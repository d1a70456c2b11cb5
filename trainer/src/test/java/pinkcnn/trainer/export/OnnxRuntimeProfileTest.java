package pinkcnn.trainer.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How {@code bench --per-block} files layers and ONNX Runtime's nodes under MobileNetV2's blocks. */
class OnnxRuntimeProfileTest {

    @Test
    void namesMapToTheirBlock() {
        assertEquals("block 12", OnnxRuntimeProfile.blockOf("block_12_depthwise_BN"));
        assertEquals("block 1", OnnxRuntimeProfile.blockOf("block_1_pad"));
        assertEquals("block 0", OnnxRuntimeProfile.blockOf("expanded_conv_project"));
        assertEquals("stem", OnnxRuntimeProfile.blockOf("Conv1_pad"));
        assertEquals("stem", OnnxRuntimeProfile.blockOf("bn_Conv1"));
        assertEquals("Conv_1", OnnxRuntimeProfile.blockOf("Conv_1_bn"));
        assertEquals("Conv_1", OnnxRuntimeProfile.blockOf("out_relu"));
        assertEquals("other", OnnxRuntimeProfile.blockOf("reorder_token_7"));
        assertEquals("other", OnnxRuntimeProfile.blockOf("input_1_nchw"));
    }

    /** Kernel times only, per block, the warm-up runs of each node left out, averaged over the profiled runs. */
    @Test
    void traceEventsAddUpPerBlock(@TempDir Path dir) throws Exception {
        Path trace = dir.resolve("trace.json");
        StringBuilder json = new StringBuilder("[{\"cat\":\"Session\",\"name\":\"model_run\",\"dur\":900}");
        int[][] durations = {{100, 10, 20}, {200, 30, 40}}; // block_1_expand, block_1_project runs: warm-up then 2
        String[] nodes = {"block_1_expand", "block_1_project"};
        for (int run = 0; run < 3; run++) {
            for (int n = 0; n < 2; n++) {
                json.append(",{\"cat\":\"Node\",\"name\":\"").append(nodes[n]).append("_fence_before\",\"dur\":0}");
                json.append(",{\"cat\":\"Node\",\"name\":\"").append(nodes[n]).append("_kernel_time\",\"dur\":")
                        .append(durations[n][run]).append("}");
            }
            json.append(",{\"cat\":\"Node\",\"name\":\"reorder_token_1_kernel_time\",\"dur\":").append(run == 0 ? 500 : 6).append("}");
        }
        Files.writeString(trace, json.append("]").toString());
        Map<String, double[]> blocks = new LinkedHashMap<>();
        OnnxRuntimeProfile.addOnnxRuntimeTimes(trace, blocks, 1, 2);
        // (10 + 20 + 30 + 40) µs over 2 runs = 0.05 ms; the reorder (6 + 6) / 2 µs
        assertArrayEquals(new double[] {0, 0.05}, blocks.get("block 1"), 1e-12);
        assertArrayEquals(new double[] {0, 0.006}, blocks.get("other"), 1e-12);
    }
}
