package pinkcnn.trainer.export;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import pinkcnn.engine.io.AtomicFiles;
import pinkcnn.engine.nn.Graph;

/**
 * ONNX export of a pinkcnn {@link Graph} (a backbone), for ONNX Runtime and the other tools that read ONNX. The
 * model's input is {@value #INPUT}: NHWC float32 [N, H, W, C] with a dynamic batch, exactly what
 * {@link Graph#forward} takes; its output is named after the last layer, NHWC as pinkcnn returns it. Whole
 * classifiers (a backbone with a head) are built with {@link OnnxBuilder} directly.
 */
public final class OnnxExport {
    /** The name of every exported model's input. */
    public static final String INPUT = "input";

    private OnnxExport() {}

    /** The layers of {@code graph} from its input up to and including {@code last}, as a serialised ONNX model. */
    public static byte[] graph(Graph graph, String last, Map<String, String> metadata) {
        int[] in = graph.outputShape(Graph.INPUT);
        if (in.length != 4) throw new IllegalArgumentException("ONNX export needs an image input (H, W, C), not " + in.length + "-D");
        OnnxBuilder b = new OnnxBuilder(last).reserve(last);
        metadata.forEach(b::metadata);
        OnnxValue x = b.input(INPUT, in[1], in[2], in[3]);
        b.output(b.graph(graph, x, last, ""), last);
        return b.toBytes();
    }

    /** The whole graph (up to its last layer). */
    public static byte[] graph(Graph graph) {
        return graph(graph, graph.lastLayer(), Map.of());
    }

    /** Writes a model atomically: a failed write leaves no partial file (and any previous file as it was). */
    public static void write(Path file, byte[] model) throws IOException {
        AtomicFiles.write(file, out -> out.write(model));
    }
}
