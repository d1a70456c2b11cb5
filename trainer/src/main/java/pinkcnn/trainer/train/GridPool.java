package pinkcnn.trainer.train;

import pinkcnn.engine.ops.Functional;


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

    /** Pools n maps of h×w×c into g×g×c (adaptive cells, see {@link GridAvgPool}). */
    public static float[] pool(float[] maps, int n, int h, int w, int c, int g) {
        return Functional.gridAveragePool2d(maps, n, h, w, c, g);
    }
}
