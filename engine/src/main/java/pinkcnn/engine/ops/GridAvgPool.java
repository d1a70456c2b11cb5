package pinkcnn.engine.ops;

import pinkcnn.engine.Autograd;
import pinkcnn.engine.Tensor;
import pinkcnn.engine.backend.Backend;

/**
 * Adaptive average pooling to a G×G grid: N×H×W×C → N×G×G×C, cell (gy, gx) covering rows [gy·H/G, (gy+1)·H/G) and
 * columns likewise (uneven cells when G does not divide the size, as PyTorch's AdaptiveAvgPool2d). It keeps the
 * coarse layout of a feature map — where the eyes, mouth and hair are — that global pooling throws away.
 *
 * <p>Computed on the host: the maps it pools are small (14×14×576 at most here) and this keeps the backend contract
 * free of a kernel that only the classifier head uses. The backward pass spreads each cell's gradient evenly over it.
 */
public final class GridAvgPool {
    private GridAvgPool() {}

    public static Tensor apply(Tensor x, int grid) {
        Shapes.requireRank(x, 4, "grid pooling input");
        int n = x.dim(0), h = x.dim(1), w = x.dim(2), c = x.dim(3);
        Backend b = x.backend();
        Tensor y = Tensor.of(b, pool(x.toArray(), n, h, w, c, grid), n, grid, grid, c);
        Autograd.record(y, new Tensor[] {x}, () -> {
            float[] dy = y.gradArray(), dx = new float[n * h * w * c];
            forEachCell(n, h, w, c, grid, (img, cell, y0, y1, x0, x1) -> {
                float share = 1f / ((y1 - y0) * (x1 - x0));
                for (int yy = y0; yy < y1; yy++)
                    for (int xx = x0; xx < x1; xx++)
                        for (int ch = 0; ch < c; ch++) dx[((img * h + yy) * w + xx) * c + ch] += dy[cell + ch] * share;
            });
            Tensor d = Tensor.of(b, dx, x.shape());
            b.axpy(dx.length, 1f, d.storage(), x.gradStorage());
        });
        return y;
    }

    /** The pooling itself on a host array of n maps h×w×c. */
    public static float[] pool(float[] maps, int n, int h, int w, int c, int grid) {
        float[] out = new float[n * grid * grid * c];
        forEachCell(n, h, w, c, grid, (img, cell, y0, y1, x0, x1) -> {
            double[] acc = new double[c];
            for (int yy = y0; yy < y1; yy++)
                for (int xx = x0; xx < x1; xx++) {
                    int ib = ((img * h + yy) * w + xx) * c;
                    for (int ch = 0; ch < c; ch++) acc[ch] += maps[ib + ch];
                }
            double inv = 1.0 / ((y1 - y0) * (x1 - x0));
            for (int ch = 0; ch < c; ch++) out[cell + ch] = (float) (acc[ch] * inv);
        });
        return out;
    }

    private interface CellVisitor {
        /** cell = flat offset of the cell's first channel in the pooled output. */
        void visit(int img, int cell, int y0, int y1, int x0, int x1);
    }

    private static void forEachCell(int n, int h, int w, int c, int grid, CellVisitor v) {
        if (grid < 1 || grid > Math.min(h, w)) throw new IllegalArgumentException("grid " + grid + " for a " + h + "×" + w + " map");
        for (int img = 0; img < n; img++)
            for (int gy = 0; gy < grid; gy++)
                for (int gx = 0; gx < grid; gx++) {
                    int y0 = gy * h / grid, y1 = (gy + 1) * h / grid, x0 = gx * w / grid, x1 = (gx + 1) * w / grid;
                    v.visit(img, ((img * grid + gy) * grid + gx) * c, y0, y1, x0, x1);
                }
    }
}
