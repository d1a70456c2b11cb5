package pinkcnn.trainer.export;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import pinkcnn.engine.backend.ConvGeometry;
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
import pinkcnn.engine.nn.Sequential;
import pinkcnn.engine.nn.ZeroPadding2d;

/**
 * Builds an ONNX model (opset {@value #OPSET}) from pinkcnn layers, computing what pinkcnn computes in inference mode
 * (dropout off, batch norm on its moving statistics). The model takes NHWC float32 input, as the engine does, with a
 * dynamic batch; it is transposed to NCHW once at the start, because ONNX's Conv and pooling are channels-first, and
 * back to NHWC wherever pinkcnn's element order matters (a flatten, a 4-D output).
 *
 * <p>Translation: Keras 'same' padding becomes explicit pads with the odd pixel at the bottom/right, as
 * {@link ConvGeometry} does; a {@link ZeroPadding2d} that only feeds a convolution becomes that convolution's pads; a
 * {@link BatchNorm} that directly follows a convolution is folded into its weights and bias (w·γ/√(σ²+ε), computed in
 * double); ReLU6 is Clip(0, 6); a depthwise convolution is a Conv with group = channels; the adaptive
 * {@link GridAveragePool2d} is one MatMul with a constant pooling matrix (its cells are uneven, which AveragePool
 * cannot express). Identical weights are stored once (ensemble members share their frozen backbone).
 */
public final class OnnxBuilder {
    public static final int OPSET = 13;
    /** The IR version of ONNX 1.8, the release that introduced opset 13: the oldest runtime that can load the model. */
    public static final long IR_VERSION = 7;
    /** The name of the dynamic batch dimension. */
    public static final String BATCH = "N";

    private static final int FLOAT = TensorProto.DataType.FLOAT.getNumber();
    private static final int INT64 = TensorProto.DataType.INT64.getNumber();

    private final GraphProto.Builder graph = GraphProto.newBuilder();
    private final Set<String> names = new HashSet<>();
    private final Map<Integer, List<Stored>> stored = new HashMap<>();
    private final Map<String, String> metadata = new LinkedHashMap<>();
    private String producerVersion = "";
    private String doc = "";

    /** A float initializer already in the graph, for de-duplication. */
    private record Stored(String name, long[] dims, float[] data) {}

    public OnnxBuilder(String graphName) {
        graph.setName(graphName);
    }

    /** Keeps a name free for a later {@link #output} (internal values that would take it get a suffix). */
    public OnnxBuilder reserve(String name) {
        if (!names.add(name)) throw new IllegalArgumentException("name " + name + " is taken");
        return this;
    }

    public OnnxBuilder metadata(String key, String value) {
        metadata.put(key, value);
        return this;
    }

    public OnnxBuilder producerVersion(String version) {
        producerVersion = version;
        return this;
    }

    public OnnxBuilder doc(String text) {
        doc = text;
        return this;
    }

    /** Declares the model input: NHWC float32 [N, h, w, c] with a dynamic batch N. */
    public OnnxValue input(String name, int h, int w, int c) {
        reserve(name);
        graph.addInput(valueInfo(name, new int[] {-1, h, w, c}));
        String nchw = node("Transpose", name + "_nchw", List.of(name), ints("perm", 0, 3, 1, 2));
        return new OnnxValue(nchw, new int[] {-1, h, w, c});
    }

    /** Declares a model output named {@code name} (reserve it first): a 4-D value in NHWC, as pinkcnn returns it. */
    public void output(OnnxValue v, String name) {
        if (!names.contains(name)) reserve(name);
        NodeProto.Builder n = v.rank() == 4
                ? nodeProto("Transpose", name, List.of(v.name()), ints("perm", 0, 2, 3, 1))
                : nodeProto("Identity", name, List.of(v.name()));
        graph.addNode(n.addOutput(name));
        graph.addOutput(valueInfo(name, v.shape()));
    }

    // ------------------------------------------------------------------------------------------------ graphs

    /**
     * Layers of {@code g} from its input up to and including {@code last}, applied to {@code input}; node and weight
     * names are the layer names with {@code prefix} before them.
     */
    public OnnxValue graph(Graph g, OnnxValue input, String last, String prefix) {
        List<Graph.Node> nodes = g.nodes().subList(0, g.position(last) + 1);
        int[] in = g.outputShape(Graph.INPUT);
        if (!Arrays.equals(Arrays.copyOfRange(in, 1, 4), Arrays.copyOfRange(input.shape(), 1, 4))) {
            throw new IllegalArgumentException("the graph takes " + Arrays.toString(Arrays.copyOfRange(in, 1, 4))
                    + " inputs, not " + input);
        }
        Map<String, List<Graph.Node>> consumers = new HashMap<>();
        for (Graph.Node n : nodes) for (String i : n.inputs()) consumers.computeIfAbsent(i, k -> new ArrayList<>()).add(n);
        Map<String, OnnxValue> values = new HashMap<>();
        values.put(Graph.INPUT, input);
        Map<String, ZeroPadding2d> pendingPads = new HashMap<>();
        Set<String> folded = new HashSet<>();
        for (Graph.Node n : nodes) {
            Layer l = n.layer();
            String name = n.name();
            if (folded.contains(name)) continue;
            Graph.Node only = soleConsumer(consumers, name, last);
            if (l instanceof ZeroPadding2d pad && only != null && isConv(only.layer())) {
                pendingPads.put(name, pad); // becomes the convolution's pads
                values.put(name, values.get(n.inputs().get(0)));
                continue;
            }
            if (isConv(l)) {
                String src = n.inputs().get(0);
                ZeroPadding2d pad = pendingPads.get(src);
                int[] extra = pad == null ? new int[4] : new int[] {pad.top(), pad.bottom(), pad.left(), pad.right()};
                BatchNorm bn = only != null && only.layer() instanceof BatchNorm b ? b : null;
                OnnxValue y = conv(l, values.get(src), extra, bn, prefix + (bn == null ? name : bn.name()), prefix + name);
                values.put(name, y);
                if (bn != null) {
                    values.put(bn.name(), y);
                    folded.add(bn.name());
                }
                continue;
            }
            if (l instanceof Add add) {
                OnnxValue a = values.get(n.inputs().get(0)), b = values.get(n.inputs().get(1));
                values.put(name, new OnnxValue(node("Add", prefix + add.name(), List.of(a.name(), b.name())), a.shape()));
                continue;
            }
            values.put(name, layer(l, values.get(n.inputs().get(0)), prefix));
        }
        return values.get(last);
    }

    /** The node that alone consumes {@code name}'s output, unless that output is the graph's result. */
    private static Graph.Node soleConsumer(Map<String, List<Graph.Node>> consumers, String name, String last) {
        List<Graph.Node> c = consumers.get(name);
        return c != null && c.size() == 1 && !name.equals(last) ? c.get(0) : null;
    }

    private static boolean isConv(Layer l) {
        return l instanceof Conv2d || l instanceof DepthwiseConv2d;
    }

    /** Layers applied one after another (a classifier head). */
    public OnnxValue layers(List<? extends Layer> layers, OnnxValue x, String prefix) {
        for (Layer l : layers) x = layer(l, x, prefix);
        return x;
    }

    /** One single-input layer; a clear error for a layer kind this exporter does not know. */
    public OnnxValue layer(Layer l, OnnxValue x, String prefix) {
        String name = prefix + l.name();
        if (isConv(l)) return conv(l, x, new int[4], null, name, name);
        if (l instanceof Dropout) return x; // identity at inference
        if (l instanceof Sequential s) return layers(s.layers(), x, prefix);
        if (l instanceof BatchNorm bn) return batchNorm(bn, x, name);
        if (l instanceof ReLU r) return relu(x, r.maxValue(), name);
        if (l instanceof ZeroPadding2d p) return pad(p, x, name);
        if (l instanceof MaxPool2d p) return maxPool(p, x, name);
        if (l instanceof GridAveragePool2d p) return gridAveragePool(x, p.grid(), name);
        if (l instanceof GlobalAveragePool2d) {
            requireRank(x, 4, l);
            String pooled = node("GlobalAveragePool", name + "_nc11", List.of(x.name()));
            return new OnnxValue(node("Flatten", name, List.of(pooled), i("axis", 1)), new int[] {-1, x.dim(3)});
        }
        if (l instanceof Flatten) return flatten(x, name);
        if (l instanceof Dense d) return dense(d, x, name);
        throw new IllegalArgumentException("cannot export layer " + l.name() + " (" + l.getClass().getSimpleName()
                + ") to ONNX: no translation for this kind of layer");
    }

    // ------------------------------------------------------------------------------------------------ layers

    /**
     * A convolution (optionally after explicit zero padding {top, bottom, left, right} and followed by a folded batch
     * norm) as one ONNX Conv.
     */
    private OnnxValue conv(Layer l, OnnxValue x, int[] extra, BatchNorm bn, String outName, String weightName) {
        requireRank(x, 4, l);
        int h = x.dim(1), w = x.dim(2), cin = x.dim(3);
        boolean depthwise = l instanceof DepthwiseConv2d;
        int k, stride, cout;
        String padding;
        float[] hwio, bias = null;
        if (depthwise) {
            DepthwiseConv2d d = (DepthwiseConv2d) l;
            k = d.kernelSize();
            stride = d.stride();
            padding = d.padding();
            cout = cin;
            hwio = d.kernel().value().toArray();
        } else {
            Conv2d c = (Conv2d) l;
            k = c.kernelSize();
            stride = c.stride();
            padding = c.padding();
            cout = c.filters();
            hwio = c.kernel().value().toArray();
            if (c.bias() != null) bias = c.bias().value().toArray();
            if (c.kernel().shape()[2] != cin) {
                throw new IllegalArgumentException(l.name() + ": kernel for " + c.kernel().shape()[2] + " channels, input " + x);
            }
        }
        int hp = h + extra[0] + extra[1], wp = w + extra[2] + extra[3];
        ConvGeometry g = ConvGeometry.of(1, hp, wp, cin, k, stride, padding, cout);
        int top = extra[0] + g.padTop(), bottom = extra[1] + g.padBottom(), left = extra[2] + g.padLeft(),
                right = extra[3] + g.padRight();
        double[] scale = new double[cout], shift = new double[cout];
        Arrays.fill(scale, 1);
        if (bn != null) scaleShift(bn, scale, shift);
        // Keras HWIO (kh×kw×cin×cout, or kh×kw×c×1 depthwise) → ONNX OIHW (cout×cin/group×kh×kw), scaled per output.
        int perGroup = depthwise ? 1 : cin;
        float[] oihw = new float[cout * perGroup * k * k];
        for (int o = 0; o < cout; o++)
            for (int i = 0; i < perGroup; i++)
                for (int y = 0; y < k; y++)
                    for (int xx = 0; xx < k; xx++) {
                        int src = depthwise ? (y * k + xx) * cin + o : ((y * k + xx) * cin + i) * cout + o;
                        oihw[((o * perGroup + i) * k + y) * k + xx] = (float) (hwio[src] * scale[o]);
                    }
        List<String> inputs = new ArrayList<>(List.of(x.name(),
                initializer(weightName + "/kernel", new long[] {cout, perGroup, k, k}, oihw)));
        if (bias != null || bn != null) {
            float[] b = new float[cout];
            for (int o = 0; o < cout; o++) b[o] = (float) (shift[o] + scale[o] * (bias == null ? 0 : bias[o]));
            inputs.add(initializer(weightName + "/bias", new long[] {cout}, b));
        }
        String out = node("Conv", outName, inputs, ints("kernel_shape", k, k), ints("strides", stride, stride),
                ints("pads", top, left, bottom, right), ints("dilations", 1, 1), i("group", depthwise ? cin : 1));
        ConvGeometry full = new ConvGeometry(1, h, w, cin, k, k, stride, top, bottom, left, right, cout);
        return new OnnxValue(out, new int[] {-1, full.outH(), full.outW(), cout});
    }

    /** Batch norm on its moving statistics as y = x·scale + shift (double precision). */
    private static void scaleShift(BatchNorm bn, double[] scale, double[] shift) {
        float[] gamma = weight(bn, "gamma:0"), beta = weight(bn, "beta:0"), mean = weight(bn, "moving_mean:0"),
                var = weight(bn, "moving_variance:0");
        if (gamma.length != scale.length) {
            throw new IllegalArgumentException(bn.name() + ": " + gamma.length + " channels after a layer with " + scale.length);
        }
        for (int c = 0; c < scale.length; c++) {
            scale[c] = gamma[c] / Math.sqrt((double) var[c] + bn.epsilon());
            shift[c] = beta[c] - mean[c] * scale[c];
        }
    }

    private static float[] weight(Layer l, String name) {
        for (Parameter p : l.weights()) if (p.name().equals(name)) return p.value().toArray();
        throw new IllegalArgumentException(l.name() + " has no weight " + name);
    }

    private OnnxValue batchNorm(BatchNorm bn, OnnxValue x, String name) {
        int c = x.dim(-1);
        if (x.rank() != 4 && x.rank() != 2) throw new IllegalArgumentException(bn.name() + ": input " + x + " is not 2-D or 4-D");
        List<String> in = new ArrayList<>(List.of(x.name()));
        for (String w : List.of("gamma:0", "beta:0", "moving_mean:0", "moving_variance:0")) {
            in.add(initializer(name + "/" + w.replace(":0", ""), new long[] {c}, weight(bn, w)));
        }
        return new OnnxValue(node("BatchNormalization", name, in, f("epsilon", bn.epsilon())), x.shape());
    }

    private OnnxValue relu(OnnxValue x, float cap, String name) {
        if (Float.isInfinite(cap)) return new OnnxValue(node("Relu", name, List.of(x.name())), x.shape());
        String lo = initializer(name + "/min", new long[0], new float[] {0f});
        String hi = initializer(name + "/max", new long[0], new float[] {cap});
        return new OnnxValue(node("Clip", name, List.of(x.name(), lo, hi)), x.shape());
    }

    /**
     * A zero padding that does not feed a convolution, as a Pad node. (Correct ONNX, but ONNX Runtime 1.24's optimiser
     * folds a zero Pad straight before a MaxPool into the pool's -inf padding, which changes the result; pinkcnn's
     * models never pad before max pooling.)
     */
    private OnnxValue pad(ZeroPadding2d p, OnnxValue x, String name) {
        requireRank(x, 4, p);
        String pads = longs(name + "/pads", new long[] {8}, 0, 0, p.top(), p.left(), 0, 0, p.bottom(), p.right());
        return new OnnxValue(node("Pad", name, List.of(x.name(), pads)), p.outputShape(x.shape()));
    }

    private OnnxValue maxPool(MaxPool2d p, OnnxValue x, String name) {
        requireRank(x, 4, p);
        ConvGeometry g = ConvGeometry.of(1, x.dim(1), x.dim(2), x.dim(3), p.pool(), p.stride(), p.padding(), x.dim(3));
        // ONNX MaxPool never takes a padded cell as the maximum, as Keras' 'same' max pooling.
        String out = node("MaxPool", name, List.of(x.name()), ints("kernel_shape", p.pool(), p.pool()),
                ints("strides", p.stride(), p.stride()), ints("pads", g.padTop(), g.padLeft(), g.padBottom(), g.padRight()));
        return new OnnxValue(out, new int[] {-1, g.outH(), g.outW(), x.dim(3)});
    }

    /**
     * pinkcnn's adaptive grid average pooling (cell (gy, gx) covers rows [gy·H/G, (gy+1)·H/G) and the same columns):
     * [N,C,H,W] → [N,C,H·W] · P → [N,C,G,G], P holding 1/cell area where a pixel lies in a cell.
     */
    public OnnxValue gridAveragePool(OnnxValue x, int grid, String name) {
        if (x.rank() != 4) throw new IllegalArgumentException(name + ": grid pooling needs a feature map, not " + x);
        int h = x.dim(1), w = x.dim(2), c = x.dim(3);
        if (grid < 1 || grid > Math.min(h, w)) throw new IllegalArgumentException("grid " + grid + " for a " + h + "×" + w + " map");
        float[] p = new float[h * w * grid * grid];
        for (int gy = 0; gy < grid; gy++)
            for (int gx = 0; gx < grid; gx++) {
                int y0 = gy * h / grid, y1 = (gy + 1) * h / grid, x0 = gx * w / grid, x1 = (gx + 1) * w / grid;
                float share = 1f / ((y1 - y0) * (x1 - x0));
                for (int yy = y0; yy < y1; yy++)
                    for (int xx = x0; xx < x1; xx++) p[(yy * w + xx) * grid * grid + gy * grid + gx] = share;
            }
        String flat = node("Reshape", name + "_rows", List.of(x.name(), longs(name + "/rows", new long[] {3}, -1, c, (long) h * w)));
        String pooled = node("MatMul", name + "_cells", List.of(flat, initializer(name + "/cells", new long[] {(long) h * w, (long) grid * grid}, p)));
        String out = node("Reshape", name, List.of(pooled, longs(name + "/grid", new long[] {4}, -1, c, grid, grid)));
        return new OnnxValue(out, new int[] {-1, grid, grid, c});
    }

    /** Keras Flatten in NHWC order: a feature map goes back to NHWC before it is flattened. */
    private OnnxValue flatten(OnnxValue x, String name) {
        if (x.rank() == 2) return x;
        if (x.rank() != 4) throw new IllegalArgumentException(name + ": cannot flatten " + x);
        String nhwc = node("Transpose", name + "_nhwc", List.of(x.name()), ints("perm", 0, 2, 3, 1));
        return new OnnxValue(node("Flatten", name, List.of(nhwc), i("axis", 1)), new int[] {-1, x.dim(1) * x.dim(2) * x.dim(3)});
    }

    private OnnxValue dense(Dense d, OnnxValue x, String name) {
        int[] k = d.kernel().shape();
        if (x.rank() != 2 || x.dim(1) != k[0]) {
            throw new IllegalArgumentException(d.name() + ": a dense layer for " + k[0] + " features after " + x
                    + " (flatten or pool first)");
        }
        String out = node("Gemm", d.relu() ? name + "_linear" : name, List.of(x.name(),
                initializer(name + "/kernel", new long[] {k[0], k[1]}, d.kernel().value().toArray()),
                initializer(name + "/bias", new long[] {k[1]}, d.bias().value().toArray())));
        if (d.relu()) out = node("Relu", name, List.of(out));
        return new OnnxValue(out, new int[] {-1, k[1]});
    }

    /** Softmax over the classes of N×K logits. */
    public OnnxValue softmax(OnnxValue x, String name) {
        if (x.rank() != 2) throw new IllegalArgumentException(name + ": softmax of " + x + ", expected N×classes");
        return new OnnxValue(node("Softmax", name, List.of(x.name()), i("axis", 1)), x.shape());
    }

    // ------------------------------------------------------------------------------------------------ views

    /** Test-time views: the batch followed by its left–right mirror image, [2N, …]. */
    public OnnxValue withMirrored(OnnxValue x, String name) {
        requireRank(x, 4, null);
        int w = x.dim(2);
        long[] reversed = new long[w];
        for (int i = 0; i < w; i++) reversed[i] = w - 1 - i;
        String mirrored = node("Gather", name + "_mirrored", List.of(x.name(), longs(name + "/columns", new long[] {w}, reversed)),
                i("axis", 3));
        return new OnnxValue(node("Concat", name, List.of(x.name(), mirrored), i("axis", 0)), x.shape());
    }

    /** The mean over {@code views} stacked views of N×K rows ([views·N, K], view-major) → [N, K]. */
    public OnnxValue meanOfViews(OnnxValue x, int views, String name) {
        if (x.rank() != 2) throw new IllegalArgumentException(name + ": expected N×K, not " + x);
        String stacked = node("Reshape", name + "_views", List.of(x.name(), longs(name + "/views", new long[] {3}, views, -1, x.dim(1))));
        return new OnnxValue(node("ReduceMean", name, List.of(stacked), ints("axes", 0), i("keepdims", 0)), x.shape());
    }

    /** The element-wise mean of values of one shape (ensemble members' probabilities). */
    public OnnxValue mean(List<OnnxValue> xs, String name) {
        if (xs.size() == 1) return xs.get(0);
        return new OnnxValue(node("Mean", name, xs.stream().map(OnnxValue::name).toList()), xs.get(0).shape());
    }

    // ------------------------------------------------------------------------------------------------ the model

    public ModelProto model() {
        ModelProto.Builder m = ModelProto.newBuilder()
                .setIrVersion(IR_VERSION)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setProducerName("pinkcnn")
                .setProducerVersion(producerVersion)
                .setDocString(doc)
                .setGraph(graph.build());
        for (Map.Entry<String, String> e : metadata.entrySet()) {
            m.addMetadataProps(StringStringEntryProto.newBuilder().setKey(e.getKey()).setValue(e.getValue()));
        }
        return m.build();
    }

    public byte[] toBytes() {
        return model().toByteArray();
    }

    // ------------------------------------------------------------------------------------------------ plumbing

    private String unique(String name) {
        String n = name;
        for (int k = 1; !names.add(n); k++) n = name + "_" + k;
        return n;
    }

    /** Adds a node whose single output is named after it; returns the output's name. */
    private String node(String op, String name, List<String> inputs, AttributeProto... attrs) {
        String out = unique(name);
        graph.addNode(nodeProto(op, out, inputs, attrs).addOutput(out));
        return out;
    }

    private static NodeProto.Builder nodeProto(String op, String name, List<String> inputs, AttributeProto... attrs) {
        return NodeProto.newBuilder().setOpType(op).setName(name).addAllInput(inputs).addAllAttribute(List.of(attrs));
    }

    /** A float32 initializer (little-endian raw data); an identical one already stored is reused. */
    private String initializer(String name, long[] dims, float[] data) {
        int key = 31 * Arrays.hashCode(dims) + Arrays.hashCode(data);
        List<Stored> same = stored.computeIfAbsent(key, k -> new ArrayList<>());
        for (Stored s : same) if (Arrays.equals(s.dims, dims) && Arrays.equals(s.data, data)) return s.name;
        String n = unique(name);
        ByteBuffer buf = ByteBuffer.allocate(data.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(data);
        graph.addInitializer(tensor(n, dims, FLOAT).setRawData(ByteString.copyFrom(buf.array())));
        same.add(new Stored(n, dims, data));
        return n;
    }

    private String longs(String name, long[] dims, long... data) {
        String n = unique(name);
        ByteBuffer buf = ByteBuffer.allocate(data.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        buf.asLongBuffer().put(data);
        graph.addInitializer(tensor(n, dims, INT64).setRawData(ByteString.copyFrom(buf.array())));
        return n;
    }

    private static TensorProto.Builder tensor(String name, long[] dims, int type) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(type);
        for (long d : dims) t.addDims(d);
        return t;
    }

    private static ValueInfoProto valueInfo(String name, int[] shape) {
        TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
        for (int d : shape) {
            s.addDim(d < 0 ? TensorShapeProto.Dimension.newBuilder().setDimParam(BATCH)
                    : TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return ValueInfoProto.newBuilder().setName(name)
                .setType(TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder().setElemType(FLOAT).setShape(s)))
                .build();
    }

    private static AttributeProto ints(String name, long... v) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long x : v) a.addInts(x);
        return a.build();
    }

    private static AttributeProto i(String name, long v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(v).build();
    }

    private static AttributeProto f(String name, float v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF(v).build();
    }

    private static void requireRank(OnnxValue x, int rank, Layer l) {
        if (x.rank() != rank) {
            throw new IllegalArgumentException((l == null ? "" : l.name() + ": ") + "expected a " + rank + "-D input, not " + x);
        }
    }
}
