package pinkcnn.engine.cpu;

import pinkcnn.engine.backend.ConvGeometry;
import pinkcnn.engine.backend.InvertedResidual;

/**
 * A whole inverted-residual block (1×1 expansion → 3×3 depthwise → 1×1 projection, + the input) computed a strip of
 * output rows at a time, so that the expanded activations never go to memory.
 *
 * <p>Layer by layer, a block writes its expanded tensor (six times its input: 112²×96 floats, 4.8 MB, in block 1),
 * reads it back for the depthwise convolution, writes the depthwise output (as large) and reads that back for the
 * projection: at batch 32 that is hundreds of megabytes through DRAM per block. Here each thread keeps a window of
 * the expanded input rows its strip's depthwise windows need and the strip's depthwise output (in block 1, 3 rows of
 * 112×96 and one of 56×96: 129 KB + 22 KB), all in the L2 cache. A strip has enough output rows for at least
 * {@link #STRIP_PIXELS} pixels. For each strip:
 * <ol>
 *   <li>the expanded input rows it needs that the window does not hold yet are computed from x by the tiled product
 *       ({@link CpuConvTiles}) with the expansion's batch norm and ReLU6 in its output stage. The window is a ring of
 *       rows (row ih in slot ih mod its size), so the rows a strip shares with the one before stay where they
 *       are;</li>
 *   <li>the depthwise kernel ({@link CpuDepthwise3x3#outputRow}) filters them row by row into the strip buffer, rows
 *       outside the image reading zeros (so the explicit padding layer before stride-2 blocks costs nothing);</li>
 *   <li>the projection multiplies the strip buffer into y's rows, and the block's input is added while they are in
 *       cache.</li>
 * </ol>
 * Images are spread over the threads; at a batch smaller than the thread count each image's output rows are cut
 * into one range per thread, each range computing the (one or two) expanded rows above it again.
 * Depthwise kernels other than 3×3 run the layers one after the other ({@link #handles}), as do, in version 2,
 * blocks whose images are one strip each when there are several images. Version 3 lays the window out by channel
 * vectors for a faster depthwise kernel ({@link CpuDepthwiseBlocked}); the steps are the same.
 */
final class CpuInvertedResidual {
    private final Parallel parallel;
    private final CpuDepthwise3x3 depthwise;
    /**
     * Output rows per strip: enough that a strip's products have at least this many pixel rows, so that the weights
     * streamed through the cache for a strip serve that many pixels (one row from 112 pixels wide, eight at 14×14, the
     * whole image at 7×7). 112 rather than 48: 1–3 % faster passes (docs/kernels.md).
     */
    static final int STRIP_PIXELS = 112;
    /** Per thread: the window of expanded input rows and the strip's depthwise output, reused from call to call. */
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[2][0]);

    CpuInvertedResidual(Parallel parallel, CpuDepthwise3x3 depthwise) {
        this.parallel = parallel;
        this.depthwise = depthwise;
    }

    /**
     * Whether this class runs the block in version 2 ({@code byVectors} false) or 3: both need a 3×3 depthwise kernel.
     * Version 2 is slower than the layers one after the other when each of several images is a single strip at
     * stride 1 (7×7 blocks at batch 32): a strip then streams the weights past only one image's pixels, where a
     * layer's product streams each panel of them past 96 rows of several images. At stride 2 (block 13: 14×14 in,
     * 7×7 out) the expanded input is four times the output's pixels, and keeping it out of memory is worth more than
     * that. Version 3's depthwise kernel is fast enough that those blocks too are faster fused (docs/kernels.md).
     */
    static boolean handles(InvertedResidual b, boolean byVectors) {
        ConvGeometry d = b.depthwise();
        if (!CpuDepthwise3x3.handles(d)) return false;
        boolean oneStripPerImage = (STRIP_PIXELS + d.outW() - 1) / d.outW() >= d.outH();
        return byVectors || !(oneStripPerImage && d.n() > 1 && d.stride() == 1);
    }

    /**
     * The block; {@code expand, es, eh} (expansion kernel as B, scale, shift) are ignored without expansion, and the
     * projection kernel comes as B too ({@link CpuConv#weights}). With {@code byVectors} (version 3) the expanded rows
     * are laid out by channel vectors for {@link CpuDepthwiseBlocked}, when there is an expansion and its channels are
     * whole vectors; otherwise, and in version 2, channels last for {@link CpuDepthwise3x3}.
     */
    synchronized void forward(InvertedResidual b, boolean byVectors, float[] x, CpuConvTiles.Operand expand, float[] es,
                              float[] eh, float[] wd, float[] ds, float[] dh, CpuConvTiles.Operand project, float[] ps, float[] ph,
                              float[] y) {
        ConvGeometry d = b.depthwise();
        int n = d.n(), oh_ = d.outH(), threads = parallel.threads();
        OutputStage expandStage = new OutputStage(es, eh, 0f, b.expandCap());
        OutputStage depthwiseStage = new OutputStage(ds, dh, 0f, b.depthwiseCap());
        OutputStage projectStage = new OutputStage(ps, ph, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY);
        float[] zero = depthwise.zeroRow(d.w() * d.cin());
        int[] interior = CpuDepthwise3x3.interior(d);
        // one range of rows per image, or per thread when there are fewer images than threads; a 7×7 block at batch 1
        // on two threads is then two ranges of one strip each (4 and 3 rows), faster than its three layers one after
        // the other, each spread over the threads (docs/kernels.md)
        int perImage = n >= threads ? 1 : Math.min(oh_, (threads + n - 1) / n);
        int strip = Math.min((oh_ + perImage - 1) / perImage, (STRIP_PIXELS + d.outW() - 1) / d.outW());
        int items = n * perImage;
        double flops = 2.0 * d.n() * d.h() * d.w() * d.cin() * (b.cin() + 9 + b.cout());
        int grain = flops < CpuGemm.PARALLEL_FLOPS ? Integer.MAX_VALUE : 1;
        int rowFloats = d.w() * d.cin(), slots = (strip - 1) * d.stride() + 3;
        // version 3: the window by channel vectors (CpuDepthwiseBlocked), vector v of its pixel p (row slot·w + column)
        // at v·plane + p·L, so one row of the window is w·L floats within each vector's plane; version 2: channels last
        int vec = CpuDepthwiseBlocked.L;
        boolean blocked = byVectors && expand != null && CpuDepthwiseBlocked.fits(d.cin());
        int plane = slots * d.w() * vec, slotFloats = blocked ? d.w() * vec : rowFloats;
        int pixelStep = blocked ? vec : d.cin(), vectorStep = blocked ? plane : vec;
        // parts claimed one after another, not one fixed chunk per thread: on a shared machine a thread that is slowed
        // down does fewer images instead of holding up the pass
        parallel.forRange(items, grain, (from, to) -> {
            float[][] scratch = SCRATCH.get();
            if (scratch[0].length < slots * rowFloats) scratch[0] = new float[slots * rowFloats];
            if (scratch[1].length < strip * d.outW() * d.cin()) scratch[1] = new float[strip * d.outW() * d.cin()];
            float[] window = scratch[0], out = scratch[1];
            float[][] rows = new float[3][];
            int[] offs = new int[3], planes = new int[3];
            for (int item = from; item < to; item++) {
                int img = item / perImage, part = item % perImage;
                int oh0 = (int) ((long) oh_ * part / perImage), oh1 = (int) ((long) oh_ * (part + 1) / perImage);
                int done = 0; // expanded input rows below this one are in the window (the last `slots` of them)
                for (int oh = oh0; oh < oh1; oh += strip) {
                    int r = Math.min(strip, oh1 - oh);
                    int lo = Math.max(0, oh * d.stride() - d.padTop());
                    int hi = Math.min(d.h(), (oh + r - 1) * d.stride() - d.padTop() + 3);
                    if (expand != null) {
                        // row ih lives in slot ih mod slots: the rows this strip shares with the last one stay where
                        // they are (moving them showed in a profile), the new ones are expanded in runs up to the
                        // window's end
                        for (int ih = Math.max(lo, oh == oh0 ? lo : done); ih < hi; ) {
                            int slot = ih % slots, run = Math.min(hi - ih, slots - slot);
                            CpuConvTiles.multiplyHere(run * d.w(), expand, x, (img * d.h() + ih) * d.w() * b.cin(), window,
                                    slot * slotFloats, pixelStep, vectorStep, expandStage);
                            ih += run;
                        }
                        done = hi;
                    }
                    for (int t = 0; t < r; t++) {
                        for (int i = 0; i < 3; i++) {
                            int ih = (oh + t) * d.stride() - d.padTop() + i;
                            planes[i] = 0;
                            if (ih < 0 || ih >= d.h()) {
                                rows[i] = zero;
                                offs[i] = 0;
                            } else if (expand == null) {
                                rows[i] = x;
                                offs[i] = (img * d.h() + ih) * rowFloats;
                            } else {
                                rows[i] = window;
                                offs[i] = ih % slots * slotFloats;
                                planes[i] = plane;
                            }
                        }
                        int outAt = t * d.outW() * d.cin();
                        if (blocked) CpuDepthwiseBlocked.outputRow(d, interior, rows, offs, planes, wd, depthwiseStage, out, outAt);
                        else CpuDepthwise3x3.outputRow(d, interior, rows, offs, wd, depthwiseStage, out, outAt);
                    }
                    int yAt = (img * oh_ + oh) * d.outW() * b.cout();
                    CpuConvTiles.multiplyHere(r * d.outW(), project, out, 0, y, yAt, projectStage);
                    if (b.residual()) VectorMath.add(y, yAt, x, yAt, r * d.outW() * b.cout());
                }
            }
        });
    }
}
