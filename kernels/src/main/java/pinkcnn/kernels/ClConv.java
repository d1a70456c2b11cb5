package pinkcnn.kernels;

import org.jocl.cl_mem;
import pinkcnn.engine.backend.ConvGeometry;

/**
 * Dense convolution as GEMM (conv.cl + {@link ClGemm}). 1×1 stride-1 convolutions are a single GEMM over the n·h·w
 * pixel rows; others go through im2col in batches of images whose columns fit {@link #MAX_COLUMN_FLOATS}.
 */
final class ClConv {
    private static final String FILE = "conv.cl";
    /** Largest im2col workspace (64 MiB); bigger batches are processed a few images at a time. */
    private static final long MAX_COLUMN_FLOATS = 16L << 20;
    /** The workspace limit in use (tests lower it to exercise the image batching). */
    static volatile long maxColumnFloats = MAX_COLUMN_FLOATS;

    /** Inputs of at most this many channels are convolved directly ({@link #direct}). */
    private static final int DIRECT_CHANNELS = 4;
    /** Output pixels per work-item of conv_direct. */
    private static final int DIRECT_PIXELS = 8;

    private final ClContext cl;
    private final ClGemm gemm;
    private final Scratch columns;

    ClConv(ClContext cl, ClGemm gemm) {
        this.cl = cl;
        this.gemm = gemm;
        this.columns = new Scratch(cl.pool);
    }

    void forward(ConvGeometry g, ClStorage x, ClStorage w, ClStorage y) {
        forward(g, x, w, y, null);
    }

    /** The convolution with the output stage {@code e} fused into its GEMM (null: none). */
    void forward(ConvGeometry g, ClStorage x, ClStorage w, ClStorage y, Epilogue e) {
        int cout = g.cout();
        if (g.isPointwise()) {
            gemm.gemm(false, false, g.n() * g.h() * g.w(), cout, g.cin(), 1f, x.mem(), 0, g.cin(), w.mem(), 0, cout,
                    0f, y.mem(), 0, cout, e);
            return;
        }
        if (direct(g)) {
            int vw = gemm.vectorWidth();
            String options = "-DKH=" + g.kh() + " -DKW=" + g.kw() + " -DCIN=" + g.cin() + " -DSTRIDE=" + g.stride()
                    + " -DVW=" + vw + " -DNVC=" + cout / vw + " -DOWB=" + DIRECT_PIXELS + (e == null ? "" : Epilogue.OPTION);
            cl.launchGrid(cl.kernel(FILE, "conv_direct", options), (g.outW() + DIRECT_PIXELS - 1) / DIRECT_PIXELS,
                    (long) g.n() * g.outH(), 1, Epilogue.append(new Object[] {g.h(), g.w(), g.cin(), g.kh(), g.kw(),
                            g.stride(), g.padTop(), g.padLeft(), g.outH(), g.outW(), g.n(), x, w, y}, e));
            return;
        }
        int k = kdim(g), pixels = g.outH() * g.outW();
        for (int img0 = 0, count; img0 < g.n(); img0 += count) {
            count = batch(g, img0);
            cl_mem col = im2col(g, x, img0, count);
            gemm.gemm(false, false, count * pixels, cout, k, 1f, col, 0, k, w.mem(), 0, cout, 0f, y.mem(),
                    img0 * pixels * cout, cout, e);
        }
    }

    /**
     * Whether the forward pass runs conv_direct instead of im2col + GEMM: an input of at most {@link #DIRECT_CHANNELS}
     * channels (the stem's image), on a CPU device, to whole vectors of at most four per pixel.
     */
    private boolean direct(ConvGeometry g) {
        int vw = gemm.vectorWidth();
        return !cl.device.isGpu() && g.cin() <= DIRECT_CHANNELS && g.cout() % vw == 0 && g.cout() / vw <= 4;
    }

    void inputGrad(ConvGeometry g, ClStorage dy, ClStorage w, ClStorage dx) {
        int cout = g.cout();
        if (g.isPointwise()) {
            gemm.gemm(false, true, g.n() * g.h() * g.w(), g.cin(), cout, 1f, dy.mem(), 0, cout, w.mem(), 0, cout, 1f,
                    dx.mem(), 0, g.cin());
            return;
        }
        int k = kdim(g), pixels = g.outH() * g.outW();
        for (int img0 = 0, count; img0 < g.n(); img0 += count) {
            count = batch(g, img0);
            cl_mem col = columns.get((long) count * pixels * k);
            gemm.gemm(false, true, count * pixels, k, cout, 1f, dy.mem(), img0 * pixels * cout, cout, w.mem(), 0, cout,
                    0f, col, 0, k);
            ClElementwise.count((long) g.n() * g.h() * g.w() * g.cin());
            cl.launchGrid(cl.kernel(FILE, "col2im_add", ""), g.w(), (long) count * g.h(), 1, geometry(g, img0, count, col, dx));
        }
    }

    void weightGrad(ConvGeometry g, ClStorage x, ClStorage dy, ClStorage dw) {
        int cout = g.cout();
        if (g.isPointwise()) {
            gemm.gemm(true, false, g.cin(), cout, g.n() * g.h() * g.w(), 1f, x.mem(), 0, g.cin(), dy.mem(), 0, cout, 1f,
                    dw.mem(), 0, cout);
            return;
        }
        int k = kdim(g), pixels = g.outH() * g.outW();
        for (int img0 = 0, count; img0 < g.n(); img0 += count) {
            count = batch(g, img0);
            cl_mem col = im2col(g, x, img0, count);
            gemm.gemm(true, false, k, cout, count * pixels, 1f, col, 0, k, dy.mem(), img0 * pixels * cout, cout, 1f,
                    dw.mem(), 0, cout);
        }
    }

    private static int kdim(ConvGeometry g) {
        return g.kh() * g.kw() * g.cin();
    }

    /** How many images from {@code img0} on fit the workspace (at least one). */
    private static int batch(ConvGeometry g, int img0) {
        long perImage = (long) g.outH() * g.outW() * kdim(g);
        return (int) Math.max(1, Math.min(g.n() - img0, maxColumnFloats / perImage));
    }

    private cl_mem im2col(ConvGeometry g, ClStorage x, int img0, int count) {
        cl_mem col = columns.get(ClElementwise.count((long) count * g.outH() * g.outW() * kdim(g)));
        cl.launchGrid(cl.kernel(FILE, "im2col", ""), g.outW(), (long) count * g.outH(), 1, geometry(g, img0, count, x, col));
        return col;
    }

    private static Object[] geometry(ConvGeometry g, int img0, int count, Object in, Object out) {
        return new Object[] {g.h(), g.w(), g.cin(), g.kh(), g.kw(), g.stride(), g.padTop(), g.padLeft(), g.outH(), g.outW(), img0,
                count, in, out};
    }
}
