package pinkcnn.kernels;

import java.util.List;
import org.jocl.cl_mem;
import pinkcnn.engine.backend.ConvGeometry;

/**
 * Depthwise convolution (depthwise.cl): the forward pass in its numbered versions ({@link #VERSIONS}; v3 by default),
 * the input gradient as a gather, the weight gradient as partial sums over row chunks plus a finish kernel.
 */
final class ClDepthwise {
    private static final String FILE = "depthwise.cl";
    static final List<String> VERSIONS = List.of("v1_direct", "v2_vec", "v3_window");

    private final ClContext cl;
    private final Scratch partials;
    /** Output pixels per work-item of v2, and the widest channel vector tried. */
    private final int owb, maxVw;
    private String version = "v3_window";

    ClDepthwise(ClContext cl) {
        this.cl = cl;
        this.partials = new Scratch(cl.pool);
        this.owb = Integer.getInteger("pinkcnn.opencl.owb", cl.device.isGpu() ? 2 : 8);
        this.maxVw = cl.device.isGpu() ? 4 : 16;
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

    /** The widest vector width (16, 8, 4, 2 or 1, at most {@code maxVw}) that divides {@code c}. */
    static int vectorWidth(int c, int maxVw) {
        for (int vw = maxVw; vw > 1; vw /= 2) if (c % vw == 0) return vw;
        return 1;
    }

    void forward(ConvGeometry g, ClStorage x, ClStorage w, ClStorage y) {
        if (version.equals("v1_direct")) {
            ClElementwise.count(g.outputSize());
            cl.launchGrid(cl.kernel(FILE, "depthwise_v1_direct", ""), g.cin(), g.outW(), (long) g.n() * g.outH(), args(g, x, w, y));
            return;
        }
        int vw = vectorWidth(g.cin(), maxVw);
        // output pixels per work-item: at most owb, spread evenly over the row (a 14-wide row: 2 × 7, not 8 + 6)
        int perItem = (g.outW() + (g.outW() + owb - 1) / owb - 1) / ((g.outW() + owb - 1) / owb);
        String options = "-DVW=" + vw + " -DKH=" + g.kh() + " -DKW=" + g.kw() + " -DOWB=" + perItem + " -DSTRIDE=" + g.stride();
        ClKernel k = cl.kernel(FILE, "depthwise_" + version, options);
        long vectors = g.cin() / vw, blocks = (g.outW() + perItem - 1) / perItem, rows = (long) g.n() * g.outH();
        long maxGroup = Math.min(cl.maxWorkGroupSize(k), 256);
        long l0 = Math.min(vectors, maxGroup), l1 = Math.max(1, Math.min(blocks, maxGroup / l0));
        cl.launch(k, new long[] {ClContext.roundUp(vectors, l0), ClContext.roundUp(blocks, l1), rows},
                new long[] {l0, l1, 1}, args(g, x, w, y));
    }

    void inputGrad(ConvGeometry g, ClStorage dy, ClStorage w, ClStorage dx) {
        ClElementwise.count(g.inputSize());
        cl.launchGrid(cl.kernel(FILE, "depthwise_input_grad", ""), g.cin(), g.w(), (long) g.n() * g.h(), args(g, dy, w, dx));
    }

    void weightGrad(ConvGeometry g, ClStorage x, ClStorage dy, ClStorage dw) {
        int c = g.cin(), taps = g.kh() * g.kw(), rows = g.n() * g.outH();
        int chunks = Math.max(1, Math.min(rows, (ClChannelOps.TARGET_ITEMS + c * taps - 1) / (c * taps)));
        int chunk = (rows + chunks - 1) / chunks;
        chunks = (rows + chunk - 1) / chunk;
        cl_mem p = partials.get((long) chunks * taps * c);
        long l0 = Math.min(c, 64);
        cl.launch(cl.kernel(FILE, "depthwise_weight_partials", ""), new long[] {ClContext.roundUp(c, l0), taps, chunks},
                new long[] {l0, 1, 1}, args(g, chunk, x, dy, p));
        cl.launch1(cl.kernel(FILE, "depthwise_weight_grad_finish", ""), (long) taps * c, taps * c, chunks, p, dw);
    }
}
