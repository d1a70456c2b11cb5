package pinkcnn.kernels;

import org.jocl.cl_mem;

/**
 * Per-channel kernels over rows×c (channel_ops.cl): the affine map, its gradient, batch statistics, the batch-norm
 * backward pass, and bias. Column sums run in two steps (partials over row chunks, then a finish kernel per channel);
 * the chunk count gives about {@link #TARGET_ITEMS} work-items (each summing a vector of channels) whatever the
 * channel count.
 */
final class ClChannelOps {
    private static final String FILE = "channel_ops.cl";
    static final int TARGET_ITEMS = 4096;

    private final ClContext cl;
    private final Scratch partials, sums;
    private final cl_mem unused;

    ClChannelOps(ClContext cl) {
        this.cl = cl;
        this.partials = new Scratch(cl.pool);
        this.sums = new Scratch(cl.pool);
        this.unused = new Scratch(cl.pool).get(1);
    }

    private ClKernel k(String name) {
        return cl.kernel(FILE, name, "");
    }

    /** Channels per work-item of the vector kernels (column_partials, channel_affine…): the widest vector dividing c. */
    private int width(int c) {
        return cl.vectorWidth(c);
    }

    /** Rows per chunk for a column reduction over {@code rows} rows of {@code c} channels. */
    private int chunkRows(int rows, int c) {
        int vectors = c / width(c);
        int chunks = Math.max(1, Math.min(rows, (TARGET_ITEMS + vectors - 1) / vectors));
        return (rows + chunks - 1) / chunks;
    }

    /**
     * partial[q][0][ch] = Σ a over chunk q, partial[q][1][ch] = Σ (a − ca)(b − cb); returns the number of chunks.
     * {@code b}, {@code ca}, {@code cb} may be null.
     */
    private int columnPartials(int rows, int c, Object a, Object b, Object ca, Object cb, cl_mem out) {
        int chunk = chunkRows(rows, c), chunks = (rows + chunk - 1) / chunk, vw = width(c);
        int flags = (b != null ? 1 : 0) | (ca != null ? 2 : 0) | (cb != null ? 4 : 0);
        cl.launchGrid(cl.kernel(FILE, "column_partials", "-DVW=" + vw), c / vw, chunks, 1, rows, c, chunk, flags, a,
                b != null ? b : unused, ca != null ? ca : unused, cb != null ? cb : unused, out);
        return chunks;
    }

    private cl_mem partialBuffer(int rows, int c) {
        int chunk = chunkRows(rows, c);
        return partials.get(2L * c * ((rows + chunk - 1) / chunk));
    }

    void affine(int rows, int c, ClStorage x, ClStorage scale, ClStorage shift, ClStorage y) {
        int vw = width(c);
        cl.launchGrid(cl.kernel(FILE, "channel_affine", "-DVW=" + vw), c / vw, rows, 1, rows, c, x, scale, shift, y);
    }

    void affineClamp(int rows, int c, ClStorage x, ClStorage scale, ClStorage shift, float cap, ClStorage y) {
        int vw = width(c);
        cl.launchGrid(cl.kernel(FILE, "channel_affine_clamp", "-DVW=" + vw), c / vw, rows, 1, rows, c, x, scale, shift, cap, y);
    }

    void affineGrad(int rows, int c, ClStorage x, ClStorage dy, ClStorage scale, ClStorage dx, ClStorage dScale,
                    ClStorage dShift) {
        if (dx != null) cl.launchGrid(k("channel_affine_grad_dx"), c, rows, 1, rows, c, dy, scale, dx);
        if (dScale == null && dShift == null) return;
        cl_mem p = partialBuffer(rows, c);
        int chunks = columnPartials(rows, c, dy, x, null, null, p);
        int flags = (dScale != null ? 1 : 0) | (dShift != null ? 2 : 0);
        cl.launch1(k("affine_grad_finish"), c, c, chunks, flags, p, dScale != null ? dScale : unused,
                dShift != null ? dShift : unused);
    }

    /** Two passes: the mean, then Σ(x − mean)² (no cancellation, unlike E[x²] − mean²). */
    void moments(int rows, int c, ClStorage x, ClStorage mean, ClStorage var) {
        cl_mem p = partialBuffer(rows, c);
        int chunks = columnPartials(rows, c, x, null, null, null, p);
        cl.launch1(k("mean_finish"), c, c, chunks, rows, p, mean);
        columnPartials(rows, c, x, x, mean, mean, p);
        cl.launch1(k("var_finish"), c, c, chunks, rows, p, var);
    }

    void batchNormGrad(int rows, int c, ClStorage x, ClStorage dy, ClStorage mean, ClStorage var, ClStorage gamma,
                       float eps, ClStorage dx, ClStorage dGamma, ClStorage dBeta) {
        cl_mem p = partialBuffer(rows, c);
        int chunks = columnPartials(rows, c, dy, x, null, mean, p); // Σ dy and Σ dy·(x − mean)
        cl_mem s = sums.get(2L * c);
        int flags = (dGamma != null ? 1 : 0) | (dBeta != null ? 2 : 0);
        cl.launch1(k("batchnorm_grad_finish"), c, c, chunks, flags, eps, p, var, s,
                dGamma != null ? dGamma : unused, dBeta != null ? dBeta : unused);
        if (dx != null) cl.launchGrid(k("batchnorm_grad_dx"), c, rows, 1, rows, c, eps, x, dy, mean, var, gamma, s, dx);
    }

    void scaleShift(int c, ClStorage gamma, ClStorage beta, ClStorage mean, ClStorage var, float eps, ClStorage scale,
                    ClStorage shift) {
        cl.launch1(k("batchnorm_scale_shift"), c, c, eps, gamma, beta, mean, var, scale, shift);
    }

    void biasAdd(int rows, int c, ClStorage x, ClStorage bias, ClStorage y) {
        cl.launchGrid(k("bias_add"), c, rows, 1, rows, c, x, bias, y);
    }

    void biasGrad(int rows, int c, ClStorage dy, ClStorage dBias) {
        cl_mem p = partialBuffer(rows, c);
        int chunks = columnPartials(rows, c, dy, null, null, null, p);
        cl.launch1(k("bias_grad_finish"), c, c, chunks, p, dBias);
    }
}
