package pinkcnn.engine.nn;

import pinkcnn.engine.Tensor;
import pinkcnn.engine.ops.Functional;

/** Keras ZeroPadding2D with ((top, bottom), (left, right)). */
public final class ZeroPadding2d extends Layer {
    private final int top, bottom, left, right;

    public ZeroPadding2d(String name, int top, int bottom, int left, int right) {
        super(name);
        this.top = top;
        this.bottom = bottom;
        this.left = left;
        this.right = right;
    }

    @Override
    public Tensor forward(Tensor x) {
        return Functional.zeroPad2d(x, top, bottom, left, right);
    }

    @Override
    public int[] outputShape(int[] in) {
        return new int[] {in[0], in[1] + top + bottom, in[2] + left + right, in[3]};
    }

    /** {top, bottom, left, right}. */
    public int[] amounts() {
        return new int[] {top, bottom, left, right};
    }

    public int top() {
        return top;
    }

    public int bottom() {
        return bottom;
    }

    public int left() {
        return left;
    }

    public int right() {
        return right;
    }
}
