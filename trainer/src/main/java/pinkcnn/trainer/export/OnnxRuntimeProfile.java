package pinkcnn.trainer.export;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import pinkcnn.engine.Autograd;
import pinkcnn.engine.Tensor;
import pinkcnn.engine.TensorScope;
import pinkcnn.engine.backend.Backend;
import pinkcnn.engine.nn.Graph;

/**
 * Where each runtime spends a MobileNetV2 pass, block by block ({@code bench --model mobilenetv2 --against onnxruntime
 * --per-block}): pinkcnn's steps timed by its profiler ({@link Graph#setProfiler}), ONNX Runtime's operators by its
 * own ({@code SessionOptions.enableProfiling}: each node's kernel time), both over the same profiled passes, taken
 * alternately. Both runtimes fuse and rename layers differently (ONNX Runtime folds batch norms into convolutions and
 * inserts layout changes), so times are summed per MobileNetV2 block: a node or step belongs to the block its
 * Keras layer name starts with ({@code block_N_…}, {@code expanded_conv…} is block 0, {@code Conv1}/{@code bn_Conv1}
 * the stem, {@code Conv_1}/{@code out_relu} the last convolution); what has no such name (ONNX Runtime's layout
 * reorders and transposes) is "other".
 */
public final class OnnxRuntimeProfile {
    private OnnxRuntimeProfile() {}

    /** One block's mean time per pass, in ms, in each runtime. */
    public record Block(@JsonProperty("block") String block, @JsonProperty("pinkcnn_ms") double pinkcnnMs,
                        @JsonProperty("onnxruntime_ms") double onnxruntimeMs) {}

    private static final Pattern BLOCK = Pattern.compile("^(?:block_(\\d+)_|(expanded_conv)|(Conv1|bn_Conv1)|(Conv_1|out_relu))");

    /** The block a layer or ONNX node name belongs to (see the class comment). */
    static String blockOf(String name) {
        Matcher m = BLOCK.matcher(name);
        if (!m.find()) return "other";
        if (m.group(1) != null) return "block " + m.group(1);
        if (m.group(2) != null) return "block 0";
        if (m.group(3) != null) return "stem";
        return "Conv_1";
    }

    /**
     * Both runtimes' time per block, the mean of {@code passes} profiled passes each after {@code warmUp} unprofiled
     * ones, in the order of the blocks in the model (ONNX Runtime's "other" last).
     */
    public static List<Block> perBlock(Backend backend, Graph graph, int batch, int threads, int warmUp, int passes)
            throws OrtException, IOException {
        String last = graph.lastLayer();
        byte[] onnx = ModelExport.onnxBackbone(graph, last, 1.0);
        int[] in = graph.outputShape(Graph.INPUT);
        float[] x = pinkcnn.benchmarks.ModelBench.input(batch, in[1], in[2], in[3], 3);
        long[] shape = {batch, in[1], in[2], in[3]};
        Map<String, double[]> blocks = new LinkedHashMap<>();
        graph.nodes().forEach(n -> blocks.computeIfAbsent(blockOf(n.name()), k -> new double[2]));
        Path dir = Files.createTempDirectory("pinkcnn-ort-profile");
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = OnnxRuntimeBench.options(threads)) {
            options.enableProfiling(dir.resolve("ort").toString());
            try (OrtSession session = env.createSession(onnx, options)) {
                String input = session.getInputNames().iterator().next();
                FloatBuffer direct = java.nio.ByteBuffer.allocateDirect(4 * x.length)
                        .order(java.nio.ByteOrder.nativeOrder()).asFloatBuffer().put(x);
                direct.flip();
                for (int p = 0; p < warmUp + passes; p++) {
                    boolean profiled = p >= warmUp;
                    if (profiled) graph.setProfiler((layer, ns) -> blocks.computeIfAbsent(blockOf(layer.name()),
                            k -> new double[2])[0] += ns / 1e6 / passes);
                    try (TensorScope scope = TensorScope.open(); Autograd.AutoCloseableNoThrow ng = Autograd.noGrad()) {
                        graph.forward(Tensor.of(backend, x, batch, in[1], in[2], in[3]), last).toArray();
                    } finally {
                        graph.setProfiler(null);
                    }
                    try (OnnxTensor t = OnnxTensor.createTensor(env, direct, shape);
                         OrtSession.Result r = session.run(Map.of(input, t))) {
                        r.get(0);
                    }
                }
                // ONNX Runtime profiles every run of the session: the warm-up runs are dropped by their count
                addOnnxRuntimeTimes(Path.of(session.endProfiling()), blocks, warmUp, passes);
            }
        } finally {
            deleteQuietly(dir);
        }
        List<Block> out = new ArrayList<>();
        blocks.forEach((name, t) -> out.add(new Block(name, t[0], t[1])));
        return out;
    }

    /** The profile directory and the trace in it; a failure here must not hide one that happened before. */
    private static void deleteQuietly(Path dir) {
        try (var files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) Files.deleteIfExists(f);
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            System.err.println("pinkcnn bench: could not delete " + dir + ": " + e.getMessage());
        }
    }

    /**
     * Adds each node's kernel time from an ONNX Runtime profile (Chrome trace events: {@code cat} "Node", {@code name}
     * "NODE_kernel_time", {@code dur} in µs) to its block, skipping the first {@code skipRuns} runs of every node.
     */
    static void addOnnxRuntimeTimes(Path trace, Map<String, double[]> blocks, int skipRuns, int runs) throws IOException {
        JsonNode events = new ObjectMapper().readTree(trace.toFile());
        Map<String, Integer> seen = new LinkedHashMap<>();
        for (JsonNode e : events) {
            String name = e.path("name").asText();
            if (!e.path("cat").asText().equals("Node") || !name.endsWith("_kernel_time")) continue;
            String node = name.substring(0, name.length() - "_kernel_time".length());
            int run = seen.merge(node, 1, Integer::sum);
            if (run <= skipRuns) continue;
            blocks.computeIfAbsent(blockOf(node), k -> new double[2])[1] += e.path("dur").asDouble() / 1e3 / runs;
        }
    }
}
