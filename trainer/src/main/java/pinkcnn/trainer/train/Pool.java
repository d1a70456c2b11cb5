package pinkcnn.trainer.train;

import pinkcnn.trainer.Choice;

/**
 * Host-side pooling of frozen feature maps before they are cached ({@code --pool}): {@code gap} averages each channel
 * over the whole map (1×1×C); {@code gridG} averages each cell of a G×G grid (G×G×C, G = 1 … 16), keeping coarse
 * spatial layout — where the eyes, mouth and hair are — which global pooling throws away; {@code none} keeps the map.
 * A fine-tuned run pools the same way inside the model (a GridAveragePool2d layer; both use
 * {@link pinkcnn.engine.ops.Functional#gridAveragePool2d(float[], int, int, int, int, int)}).
 */
public enum Pool implements Choice {
    NONE, GAP,
    GRID1, GRID2, GRID3, GRID4, GRID5, GRID6, GRID7, GRID8, GRID9, GRID10, GRID11, GRID12, GRID13, GRID14, GRID15, GRID16;

    /** Output side of the pooled map (0 for none). */
    public int gridSize() {
        return switch (this) {
            case NONE -> 0;
            case GAP -> 1;
            default -> Integer.parseInt(id().substring("grid".length()));
        };
    }

    @Override
    public String toString() {
        return id();
    }

    /** For picocli: {@code --pool none|gap|gridG}. */
    public static final class Converter extends Choice.Converter<Pool> {
        public Converter() {
            super(Pool.class);
        }

        @Override
        protected String spellings() {
            return "none, gap or grid1 … grid16";
        }
    }
}
