package pinkcnn.engine.ops;

import java.util.Arrays;
import pinkcnn.engine.Tensor;

/** Argument checks shared by the ops, with messages that name the op and the shapes. */
final class Shapes {
    private Shapes() {}

    static void requireRank(Tensor t, int rank, String what) {
        if (t.rank() != rank) {
            throw new IllegalArgumentException(what + " must have rank " + rank + ", got " + Arrays.toString(t.shape()));
        }
    }

    static void requireSameShape(Tensor a, Tensor b, String op) {
        if (!Arrays.equals(a.shape(), b.shape())) {
            throw new IllegalArgumentException(op + ": shapes differ: " + Arrays.toString(a.shape()) + " vs " + Arrays.toString(b.shape()));
        }
    }
}
