package pinkcnn.trainer.train;

/**
 * Host-side pooling of frozen feature maps before they are cached: {@code gap} averages each channel over the whole
 * map (1×1×C); {@code gridG} averages each cell of a G×G grid (G×G×C), keeping coarse spatial layout — where the eyes,
 * mouth and hair are — which global pooling throws away; {@code none} keeps the map.
 */
public final class GridPool {
    private GridPool() {}

    /** Output side of the pooled map (0 for none). */
    public static int gridSize(String pool) {
        if (pool == null || pool.equals("none")) return 0;
        if (pool.equals("gap")) return 1;
        if (pool.startsWith("grid")) {
            try {
                int g = Integer.parseInt(pool.substring(4));
                if (g >= 1 && g <= 16) return g;
            } catch (NumberFormatException ignored) {
                // fall through
            }
        }
        throw new IllegalArgumentException("unknown --pool '" + pool + "': use none, gap, grid2, grid3 …");
    }

    /** Pools n maps of h×w×c into g×g×c (cells split as evenly as possible, as adaptive average pooling does). */
    public static float[] pool(float[] maps, int n, int h, int w, int c, int g) {
        float[] out = new float[n * g * g * c];
        for (int img = 0; img < n; img++)
            for (int gy = 0; gy < g; gy++)
                for (int gx = 0; gx < g; gx++) {
                    int y0 = gy * h / g, y1 = Math.max(y0 + 1, (gy + 1) * h / g);
                    int x0 = gx * w / g, x1 = Math.max(x0 + 1, (gx + 1) * w / g);
                    int ob = ((img * g + gy) * g + gx) * c;
                    double[] acc = new double[c];
                    for (int y = y0; y < y1; y++)
                        for (int x = x0; x < x1; x++) {
                            int ib = ((img * h + y) * w + x) * c;
                            for (int ch = 0; ch < c; ch++) acc[ch] += maps[ib + ch];
                        }
                    double inv = 1.0 / ((y1 - y0) * (x1 - x0));
                    for (int ch = 0; ch < c; ch++) out[ob + ch] = (float) (acc[ch] * inv);
                }
        return out;
    }
}
