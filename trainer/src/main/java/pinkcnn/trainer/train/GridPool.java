package pinkcnn.trainer.train;

import pinkcnn.engine.ops.Functional;


/** Host-side pooling of frozen feature maps before they are cached (see {@link Pool}). */
public final class GridPool {
    private GridPool() {}

    /** Pools n maps of h×w×c into g×g×c (adaptive cells, see {@link GridAvgPool}). */
    public static float[] pool(float[] maps, int n, int h, int w, int c, int g) {
        return Functional.gridAveragePool2d(maps, n, h, w, c, g);
    }
}
