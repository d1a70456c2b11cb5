package pinkcnn.engine.nn;

import pinkcnn.engine.Tensor;
import pinkcnn.engine.ops.Functional;

/** Average pooling to a G×G grid (adaptive cells): N×H×W×C → N×G×G×C. */
public final class GridAveragePool2d extends Layer {
    private final int grid;

    public GridAveragePool2d(String name, int grid) {
        super(name);
        this.grid = grid;
    }

    @Override
    public Tensor forward(Tensor x) {
        return Functional.gridAveragePool2d(x, grid);
    }

    @Override
    public int[] outputShape(int[] in) {
        return new int[] {in[0], grid, grid, in[3]};
    }

    public int grid() {
        return grid;
    }
}
