package pinkcnn.kernels;

import java.util.List;
import org.jocl.cl_mem;
import pinkcnn.engine.backend.ConvGeometry;

/**
 * Depthwise convolution (depthwise.cl): the forward pass in its numbered versions ({@link #VERSIONS}; v4 by default on
 * a CPU device, v3 on a GPU, whose work-items should walk the channels),
 * the input gradient as a gather, the weight gradient as partial sums over row chunks plus a finish kernel. All but v1
 * work on VW adjacent channels at a time, with the kernel size and stride compiled in (one program per combination,
 * built on first use).
 */
final class ClDepthwise {
    private static final String FILE = "depthwise.cl";
    static final List<String> VERSIONS = List.of("v1_direct", "v2_vec", "v3_window", "v4_rows");

    private final ClContext cl;
    private final Scratch partials;
    /**
     * Most output pixels per work-item of v2, v3 and v4: {@code -Dpinkcnn.opencl.owb}, else the tuned value, else
     * the device type's default.
     */
    private int maxOwb;
    /**
     * v4 walks rows first for inputs up to this size ({@code -Dpinkcnn.opencl.rowsFirstBytes}; see rowsFirst). Not
     * final: DepthwiseParityTest sets 0 to run the channels-first order on its small inputs.
     */
    static volatile long rowsFirstBytes = Long.getLong("pinkcnn.opencl.rowsFirstBytes", 8L << 20);
    private String version;

    /** @param tuned parameters from the tuning cache ({@code OWB}; empty: the device type's default) */
    ClDepthwise(ClContext cl, java.util.Map<String, Integer> tuned) {
        this.cl = cl;
        this.partials = new Scratch(cl.pool);
        this.maxOwb = defaultOwb(cl.device);
        tune(tuned);
        Integer override = Integer.getInteger("pinkcnn.opencl.owb");
        if (override != null) maxOwb = override;
        use(System.getProperty("pinkcnn.opencl.depthwise", cl.device.isGpu() ? "v3_window" : "v4_rows"));
    }

    private static int defaultOwb(DeviceInfo d) {
        return d.isGpu() ? 2 : 16;
    }

    /** What a tuner tries: output pixels per work-item (more reuse of each loaded input column, more registers). */
    static java.util.Map<String, java.util.List<Integer>> space(DeviceInfo d) {
        return java.util.Map.of("OWB", d.isGpu() ? java.util.List.of(1, 2, 4) : java.util.List.of(4, 8, 12, 16, 20));
    }

    java.util.Map<String, Integer> tuning() {
        return java.util.Map.of("OWB", maxOwb);
    }

    java.util.Map<String, Integer> defaultTuning() {
        return java.util.Map.of("OWB", defaultOwb(cl.device));
    }

    /** Runs with these parameters from now on (each new OWB builds its programs on first use). */
    void tune(java.util.Map<String, Integer> values) {
        for (var e : values.entrySet()) {
            if (!e.getKey().equals("OWB")) throw new IllegalArgumentException("unknown depthwise parameter '" + e.getKey() + "': use OWB");
            // 28 outputs per work-item already spilled registers on AVX-512 (docs/kernels.md)
            if (e.getValue() == null || e.getValue() < 1 || e.getValue() > 32) {
                throw new IllegalArgumentException("depthwise OWB=" + e.getValue() + " is not 1 … 32");
            }
        }
        if (values.containsKey("OWB")) maxOwb = values.get("OWB");
    }

    String version() {
        return version;
    }

    void use(String v) {
        if (!VERSIONS.contains(v)) throw new IllegalArgumentException("unknown depthwise version '" + v + "'; choose from " + VERSIONS);
        version = v;
    }

    private static Object[] args(ConvGeometry g, Object... tail) {
        Object[] head = {g.n(), g.h(), g.w(), g.cin(), g.kh(), g.kw(), g.stride(), g.padTop(), g.padLeft(), g.outH(), g.outW()};
        Object[] all = new Object[head.length + tail.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(tail, 0, all, head.length, tail.length);
        return all;
    }

    /** Output pixels per work-item: at most maxOwb, spread evenly over the row (a 14-wide row: 2 × 7, not 8 + 6). */
    private int pixelsPerItem(ConvGeometry g) {
        int blocks = (g.outW() + maxOwb - 1) / maxOwb;
        return (g.outW() + blocks - 1) / blocks;
    }

    private ClKernel kernel(String name, ConvGeometry g) {
        return kernel(name, g, "");
    }

    private ClKernel kernel(String name, ConvGeometry g, String extra) {
        String options = "-DVW=" + cl.vectorWidth(g.cin()) + " -DKH=" + g.kh() + " -DKW=" + g.kw() + " -DSTRIDE="
                + g.stride() + " -DOWB=" + pixelsPerItem(g) + extra;
        return cl.kernel(FILE, name, options);
    }

    void forward(ConvGeometry g, ClStorage x, ClStorage w, ClStorage y) {
        forward(g, x, w, y, null);
    }

    /** Whether {@link #forward} can apply an {@link Epilogue} in its stores (v3 and v4). */
    boolean fusesEpilogue() {
        return version.equals("v3_window") || version.equals("v4_rows");
    }

    /** The forward pass with the output stage {@code e} (null: none; needs {@link #fusesEpilogue}). */
    void forward(ConvGeometry g, ClStorage x, ClStorage w, ClStorage y, Epilogue e) {
        if (e != null && !fusesEpilogue()) throw new IllegalStateException("depthwise " + version + " has no fused output stage");
        ClElementwise.count(g.outputSize());
        if (version.equals("v1_direct")) {
            cl.launchGrid(cl.kernel(FILE, "depthwise_v1_direct", ""), g.cin(), g.outW(), (long) g.n() * g.outH(),
                    args(g, x, w, y));
            return;
        }
        int perItem = pixelsPerItem(g), vectors = g.cin() / cl.vectorWidth(g.cin());
        int blocks = (g.outW() + perItem - 1) / perItem;
        long rows = (long) g.n() * g.outH();
        String fused = e == null ? "" : Epilogue.OPTION;
        Object[] args = Epilogue.append(args(g, x, w, y), e);
        if (version.equals("v4_rows") && rowsFirst(g)) {
            cl.launchGrid(kernel("depthwise_v4_rows", g, " -DROWS_FIRST=1" + fused), rows, blocks, vectors, args);
        } else {
            cl.launchGrid(kernel("depthwise_" + version, g, fused), vectors, blocks, rows, args);
        }
    }

    /**
     * Whether v4 walks output rows first: when the input stays in cache, so that reusing its rows from L1 is what
     * counts. A larger input streams from memory, and then channels first (work-group after work-group reading
     * whole stretches of rows) is faster. Measured on PoCL: rows first 10–45 % faster up to 4.8 MB of input (every
     * MobileNetV2 layer at batch 1), 25–35 % slower from 14 MB (56×56×144 at batch 8 and 32).
     */
    private boolean rowsFirst(ConvGeometry g) {
        return 4L * g.inputSize() <= rowsFirstBytes;
    }

    void inputGrad(ConvGeometry g, ClStorage dy, ClStorage w, ClStorage dx) {
        ClElementwise.count(g.inputSize());
        cl.launchGrid(kernel("depthwise_input_grad", g), g.cin() / cl.vectorWidth(g.cin()), g.w(),
                (long) g.n() * g.h(), args(g, dy, w, dx));
    }

    void weightGrad(ConvGeometry g, ClStorage x, ClStorage dy, ClStorage dw) {
        int c = g.cin(), taps = g.kh() * g.kw(), rows = g.n() * g.outH(), vectors = c / cl.vectorWidth(c);
        int chunks = Math.max(1, Math.min(rows, (ClChannelOps.TARGET_ITEMS + vectors * taps - 1) / (vectors * taps)));
        int chunk = (rows + chunks - 1) / chunks;
        chunks = (rows + chunk - 1) / chunk;
        cl_mem p = partials.get((long) chunks * taps * c);
        cl.launchGrid(kernel("depthwise_weight_partials", g), vectors, taps, chunks, args(g, chunk, x, dy, p));
        cl.launch1(cl.kernel(FILE, "depthwise_weight_grad_finish", ""), (long) taps * c, taps * c, chunks, p, dw);
    }
}
