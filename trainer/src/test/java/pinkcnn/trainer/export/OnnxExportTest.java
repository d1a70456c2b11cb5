package pinkcnn.trainer.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import pinkcnn.engine.Autograd;
import pinkcnn.engine.Tensor;
import pinkcnn.engine.TensorScope;
import pinkcnn.engine.cpu.CpuBackend;
import pinkcnn.engine.nn.Add;
import pinkcnn.engine.nn.BatchNorm;
import pinkcnn.engine.nn.Conv2d;
import pinkcnn.engine.nn.Dense;
import pinkcnn.engine.nn.DepthwiseConv2d;
import pinkcnn.engine.nn.Dropout;
import pinkcnn.engine.nn.Flatten;
import pinkcnn.engine.nn.GlobalAveragePool2d;
import pinkcnn.engine.nn.Graph;
import pinkcnn.engine.nn.GridAveragePool2d;
import pinkcnn.engine.nn.Layer;
import pinkcnn.engine.nn.MaxPool2d;
import pinkcnn.engine.nn.Parameter;
import pinkcnn.engine.nn.ReLU;
import pinkcnn.engine.nn.ZeroPadding2d;

/**
 * Every layer kind the exporter translates, on odd sizes where Keras' 'same' padding is asymmetric, with random
 * weights and batch-norm statistics: ONNX Runtime's outputs against pinkcnn's, batch 1 and 3, within
 * 1e-4·max(1, |ref|) per element.
 */
class OnnxExportTest {
    static CpuBackend cpu;

    @BeforeAll
    static void open() {
        cpu = new CpuBackend(2);
    }

    @AfterAll
    static void close() {
        cpu.close();
    }

    /** 21×23 input: stride-2 'same' convolutions and pools pad one pixel more at the bottom/right. */
    static Graph graph() {
        Random rnd = new Random(3);
        Graph g = new Graph(21, 23, 3);
        String x = g.add(new Conv2d(cpu, "c1", 3, 8, 3, 2, "same", true, rnd), Graph.INPUT);      // 11×12, with bias
        x = g.add(new BatchNorm(cpu, "bn1", 8), x);
        x = g.add(ReLU.relu6("r1"), x);
        x = g.add(new ZeroPadding2d("pad1", 0, 1, 0, 1), x);                                      // 12×13 → fused
        x = g.add(new DepthwiseConv2d(cpu, "dw1", 8, 3, 2, "valid", rnd), x);                     // 5×6
        x = g.add(new BatchNorm(cpu, "bn2", 8), x);
        String r2 = g.add(new ReLU("r2", Float.POSITIVE_INFINITY), x);
        x = g.add(new Conv2d(cpu, "c2", 8, 8, 1, 1, "same", false, rnd), r2);
        x = g.add(new BatchNorm(cpu, "bn3", 8), x);
        x = g.add(new Add("add1"), r2, x);
        x = g.add(new BatchNorm(cpu, "bn4", 8), x);                                              // not after a conv
        String dw2 = g.add(new DepthwiseConv2d(cpu, "dw2", 8, 3, 1, "same", rnd), x);             // two consumers
        x = g.add(new BatchNorm(cpu, "bn5", 8), dw2);
        x = g.add(new Add("add2"), dw2, x);
        x = g.add(new ZeroPadding2d("pad2", 1, 1, 1, 1), x);                                      // 7×8 → Pad
        // (not straight into the max pool: ONNX Runtime's optimiser folds a zero Pad into MaxPool's -inf padding)
        x = g.add(ReLU.relu6("r3"), x);
        x = g.add(new MaxPool2d("pool1", 3, 2, "same"), x);                                       // 4×4
        x = g.add(new Conv2d(cpu, "c3", 8, 6, 3, 1, "valid", false, rnd), x);                     // 2×2, no BN after
        for (Layer l : g.layers()) randomize(l, rnd);
        return g;
    }

    static void randomize(Layer l, Random rnd) {
        for (Parameter p : l.weights()) {
            float[] v = new float[(int) p.value().size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = switch (p.name()) {
                    case "moving_variance:0" -> 0.2f + rnd.nextFloat();
                    case "gamma:0" -> 0.5f + rnd.nextFloat();
                    default -> (float) rnd.nextGaussian() * 0.5f;
                };
            }
            p.load(v);
        }
    }

    static float[] input(int n, int h, int w, long seed) {
        Random rnd = new Random(seed);
        float[] x = new float[n * h * w * 3];
        for (int i = 0; i < x.length; i++) x[i] = rnd.nextFloat() * 2 - 1;
        return x;
    }

    static float[] pinkcnn(Graph g, String last, List<Layer> head, float[] x, int n) {
        try (TensorScope s = TensorScope.open(); Autograd.AutoCloseableNoThrow ng = Autograd.noGrad()) {
            int[] in = g.outputShape(Graph.INPUT);
            Tensor y = g.forward(Tensor.of(cpu, x, n, in[1], in[2], in[3]), last);
            for (Layer l : head) y = l.forward(y);
            return y.toArray();
        }
    }

    @Test
    void backboneLayersMatchOnnxRuntime() throws Exception {
        Graph g = graph();
        byte[] model = OnnxExport.graph(g, "c3", Map.of("note", "test"));
        try (OnnxRuntimeModel ort = new OnnxRuntimeModel(model)) {
            assertEquals("test", ort.metadata().get("note"));
            for (int n : new int[] {1, 3}) {
                float[] x = input(n, 21, 23, n);
                long[][] shape = new long[1][];
                float[] got = ort.run(x, OnnxRuntimeModel.shape(n, 21, 23, 3), shape);
                assertArrayEquals(new long[] {n, 2, 2, 6}, shape[0], "NHWC output");
                double err = OnnxRuntimeModel.maxRelativeError(got, pinkcnn(g, "c3", List.of(), x, n));
                System.out.printf("synthetic graph, batch %d: max |onnx - pinkcnn| / max(1, |pinkcnn|) = %.2e%n", n, err);
                assertTrue(err <= 1e-4, "batch " + n + ": " + err);
            }
        }
        OnnxMl.ModelProto proto = OnnxMl.ModelProto.parseFrom(model);
        assertEquals(OnnxBuilder.OPSET, proto.getOpsetImport(0).getVersion());
        List<String> ops = proto.getGraph().getNodeList().stream().map(OnnxMl.NodeProto::getOpType).toList();
        assertEquals(1, ops.stream().filter("Pad"::equals).count(), "pad1 folded into dw1, pad2 kept: " + ops);
        assertEquals(2, ops.stream().filter("BatchNormalization"::equals).count(), "bn4 and bn5 stay, others folded: " + ops);
    }

    /** The head layers: max pooling, uneven adaptive grid cells, flatten in NHWC order, dense with ReLU, dropout. */
    @Test
    void headLayersMatchOnnxRuntime() throws Exception {
        Graph g = graph();
        Random rnd = new Random(5);
        List<List<Layer>> heads = List.of(
                List.of(new GridAveragePool2d("grid", 3), new Flatten("flatten"), new Dense(cpu, "d1", 72, 5, true, rnd),
                        new Dropout("drop", 0.5f, 1), new Dense(cpu, "d2", 5, 4, false, rnd)),
                List.of(new MaxPool2d("mp", 2, 2, "valid"), new Flatten("flatten"), new Dense(cpu, "d1", 48, 4, false, rnd)),
                List.of(new GlobalAveragePool2d("gap"), new Dense(cpu, "d1", 8, 3, false, rnd)));
        for (List<Layer> head : heads) {
            for (Layer l : head) randomize(l, rnd);
            OnnxBuilder b = new OnnxBuilder("head").reserve("out");
            OnnxValue x = b.input("input", 21, 23, 3);
            OnnxValue y = b.layers(head, b.graph(g, x, "add2", "m/"), "");
            b.output(b.softmax(y, "softmax"), "out");
            List<Layer> withSoftmax = new ArrayList<>(head);
            try (OnnxRuntimeModel ort = new OnnxRuntimeModel(b.toBytes())) {
                for (int n : new int[] {1, 3}) {
                    float[] in = input(n, 21, 23, 10 + n);
                    float[] logits = pinkcnn(g, "add2", withSoftmax, in, n);
                    float[] got = ort.run(in, OnnxRuntimeModel.shape(n, 21, 23, 3), null);
                    double err = OnnxRuntimeModel.maxRelativeError(got, softmax(logits, n));
                    System.out.printf("head %s, batch %d: max error %.2e%n", head.get(0).name(), n, err);
                    assertTrue(err <= 1e-4, head.get(0).name() + " batch " + n + ": " + err);
                }
            }
        }
    }

    /** Mirrored test-time views and their mean, and the mean of several outputs. */
    @Test
    void mirroredViewsAreAveraged() throws Exception {
        Graph g = graph();
        OnnxBuilder b = new OnnxBuilder("views").reserve("out");
        OnnxValue x = b.withMirrored(b.input("input", 21, 23, 3), "views");
        OnnxValue y = b.layers(List.of(new GlobalAveragePool2d("gap")), b.graph(g, x, "c3", ""), "");
        b.output(b.meanOfViews(b.softmax(y, "softmax"), 2, "mean"), "out");
        int n = 3;
        float[] in = input(n, 21, 23, 9), mirrored = in.clone();
        for (int i = 0; i < n * 21; i++)
            for (int c = 0; c < 23; c++)
                System.arraycopy(in, (i * 23 + c) * 3, mirrored, (i * 23 + 22 - c) * 3, 3);
        List<Layer> gap = List.of(new GlobalAveragePool2d("gap"));
        float[] a = softmax(pinkcnn(g, "c3", gap, in, n), n), m = softmax(pinkcnn(g, "c3", gap, mirrored, n), n);
        float[] ref = new float[a.length];
        for (int i = 0; i < ref.length; i++) ref[i] = (a[i] + m[i]) / 2;
        try (OnnxRuntimeModel ort = new OnnxRuntimeModel(b.toBytes())) {
            float[] got = ort.run(in, OnnxRuntimeModel.shape(n, 21, 23, 3), null);
            assertTrue(OnnxRuntimeModel.maxRelativeError(got, ref) <= 1e-5);
        }
    }

    @Test
    void unknownLayersAreRefused() {
        Layer odd = new Layer("odd") {
            @Override
            public Tensor forward(Tensor x) {
                return x;
            }

            @Override
            public int[] outputShape(int[] in) {
                return in;
            }
        };
        OnnxBuilder b = new OnnxBuilder("x");
        OnnxValue x = b.input("input", 4, 4, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.layer(odd, x, ""));
        assertTrue(e.getMessage().contains("cannot export layer odd"), e.getMessage());
    }

    static float[] softmax(float[] logits, int n) {
        int k = logits.length / n;
        float[] p = new float[logits.length];
        for (int i = 0; i < n; i++) {
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            for (int j = 0; j < k; j++) max = Math.max(max, logits[i * k + j]);
            for (int j = 0; j < k; j++) sum += Math.exp(logits[i * k + j] - max);
            for (int j = 0; j < k; j++) p[i * k + j] = (float) (Math.exp(logits[i * k + j] - max) / sum);
        }
        return p;
    }
}
