package pinkcnn.kernels;

import java.util.List;
import org.jocl.cl_mem;
import pinkcnn.engine.backend.ConvGeometry;
import pinkcnn.engine.backend.InvertedResidual;

/**
 * A whole inverted-residual block ({@link pinkcnn.engine.backend.Backend#invertedResidual}) in its numbered versions:
 * {@code v1_layers}, the layers one after the other (the backend contract's default), and {@code v2_fused}, the block
 * in one launch of block.cl, a strip of output rows at a time so that the expanded activations stay in cache. v2 is
 * the default on CPU devices; a GPU keeps v1 (v2's work-item is sequential code for one core).
 */
final class ClBlock {
    private static final String FILE = "block.cl";
    static final List<String> VERSIONS = List.of("v1_layers", "v2_fused");
    /**
     * Output rows per strip: enough for at least this many output pixels, so that the weights streamed through the
     * cache for a strip serve that many rows of the products (one row of 112 pixels, eight at 14×14, all of 7×7).
     */
    static final int STRIP_PIXELS = 112;
    /** Work-items per compute unit when there are enough images or row ranges: some slack for a slow worker. */
    private static final int ITEMS_PER_UNIT = 4;

    private final ClContext cl;
    private final ClGemm gemm;
    private final Scratch scratch;
    /** The two kernels' packed panels, each kept apart: both are read by the same launch. */
    private final PackedOperands expandPanels, projectPanels;
    private String version;

    ClBlock(ClContext cl, ClGemm gemm) {
        this.cl = cl;
        this.gemm = gemm;
        this.scratch = new Scratch(cl.pool);
        this.expandPanels = new PackedOperands(cl);
        this.projectPanels = new PackedOperands(cl);
        this.version = cl.device.isGpu() ? "v1_layers" : "v2_fused";
    }

    String version() {
        return version;
    }

    void use(String v) {
        if (!VERSIONS.contains(v)) {
            throw new IllegalArgumentException("unknown block version '" + v + "'; choose from " + VERSIONS);
        }
        version = v;
    }

    /**
     * Whether the current version runs this block in one launch: v2, a 3×3 depthwise kernel, expanded channels in
     * whole vectors of the GEMM's width (all of MobileNetV2's blocks). Otherwise the caller runs the layers.
     */
    boolean fuses(InvertedResidual b) {
        ConvGeometry d = b.depthwise();
        return version.equals("v2_fused") && d.kh() == 3 && d.kw() == 3 && (d.stride() == 1 || d.stride() == 2)
                && d.cin() % gemm.vectorWidth() == 0;
    }

    /**
     * How one block shape runs: its row ranges, strips and window, work-items and scratch, and its kernel. Computed
     * once per shape: at batch 1 the host's work per launch decides whether PoCL's worker finds the next block queued
     * when it finishes one.
     */
    private record Plan(int perImage, int strip, int slots, int groups, long perItem, int nve, int nvp, ClKernel kernel) {}

    private final java.util.Map<InvertedResidual, Plan> plans = new java.util.HashMap<>();

    private Plan plan(InvertedResidual b) {
        return plans.computeIfAbsent(b, key -> {
            ConvGeometry d = b.depthwise();
            int n = d.n(), e = d.cin(), units = Math.max(1, cl.device.computeUnits());
            // one range of output rows per image, or several when there are fewer images than compute units
            int perImage = n >= units ? 1 : Math.min(d.outH(), (units + n - 1) / n);
            int strip = Math.min((d.outH() + perImage - 1) / perImage, (STRIP_PIXELS + d.outW() - 1) / d.outW());
            int slots = b.expand() ? (strip - 1) * d.stride() + 3 : 0;
            int groups = Math.min(n * perImage, ITEMS_PER_UNIT * units);
            long perItem = (long) (slots + 1) * d.w() * e + (long) strip * d.outW() * e;
            int vw = gemm.vectorWidth(), nve = vectors(e, vw), nvp = vectors(b.cout(), vw);
            // the products' usual row counts: a strip's new expanded rows (all of them when one strip covers the
            // image) and its output pixels
            int expandRows = (strip >= d.outH() ? d.h() : strip * d.stride()) * d.w(), projectRows = strip * d.outW();
            String options = "-DVW=" + vw + " -DNVE=" + nve + " -DMRE=" + rows(nve, expandRows) + " -DNVP=" + nvp
                    + " -DMRP=" + rows(nvp, projectRows) + " -DSTRIDE=" + d.stride() + " -DEXPAND=" + (b.expand() ? 1 : 0);
            return new Plan(perImage, strip, slots, groups, perItem, nve, nvp, cl.kernel(FILE, "block_v2_fused", options));
        });
    }

    /** The block (see {@link #fuses}); {@code we, es, eh} are null without expansion. */
    void forward(InvertedResidual b, ClStorage x, ClStorage we, ClStorage es, ClStorage eh, ClStorage wd, ClStorage ds,
                 ClStorage dh, ClStorage wp, ClStorage ps, ClStorage ph, ClStorage y) {
        ConvGeometry d = b.depthwise();
        Plan p = plan(b);
        cl_mem work = scratch.get(p.groups() * p.perItem());
        cl_mem project = panels(projectPanels, wp, d.cin(), b.cout(), p.nvp());
        // without expansion any buffer will do, unread, but not a weight: a launch counts as a write of every buffer
        // it is given, and wp given here would have its packed panels made again on every call
        cl_mem expand = b.expand() ? panels(expandPanels, we, b.cin(), d.cin(), p.nve()) : project;
        ClStorage esArg = b.expand() ? es : ds, ehArg = b.expand() ? eh : dh; // unread without expansion
        cl.launch(p.kernel(), new long[] {p.groups()}, new long[] {1},
                d.n(), d.h(), d.w(), b.cin(), d.cin(), d.outH(), d.outW(), b.cout(), d.padTop(), d.padLeft(),
                p.perImage(), p.strip(), p.slots(), b.expandCap(), b.depthwiseCap(), b.residual() ? 1 : 0, x, expand,
                esArg, ehArg, wd, ds, dh, project, ps, ph, y, work);
    }

    /**
     * Vectors per weight panel of a product to n channels: 1 for one vector's width or less (a projection to 16
     * channels, block 0's, would compute as many padding lanes as outputs in a 2-vector panel), else 2. Three, which
     * would fit every expansion of MobileNetV2 without padding, was no faster (docs/kernels.md).
     */
    static int vectors(int n, int vw) {
        return n <= vw ? 1 : 2;
    }

    /**
     * Rows per register tile for a product of usually m rows: 8 with 2 vectors per row (16 accumulators), or 7 when
     * that divides m and 8 does not (the 49 pixels of a 7×7 map are 7 tiles of 7, not 7 tiles of 8 of which the last
     * holds one row); 12 with one vector, to keep as many FMAs in flight.
     */
    static int rows(int vectors, int m) {
        if (vectors == 1) return 12;
        return m % 8 != 0 && m % 7 == 0 ? 7 : 8;
    }

    /** A 1×1 kernel (k × n) as GEMM v4's panels of nv vectors, kept while it is unchanged. */
    private cl_mem panels(PackedOperands kept, ClStorage w, int k, int n, int nv) {
        int nr = gemm.vectorWidth() * nv;
        long floats = (long) (n + nr - 1) / nr * k * nr;
        return kept.get(w.mem(), 0, n, 1, k, n, nr, floats, gemm.panelPacker(w.mem(), k, n, nv));
    }
}
