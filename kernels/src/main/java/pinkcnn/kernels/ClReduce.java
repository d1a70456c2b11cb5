package pinkcnn.kernels;

import org.jocl.cl_mem;

/** Sums to one value and softmax / cross-entropy (reduce.cl). */
final class ClReduce {
    private static final String FILE = "reduce.cl";
    /** Work-groups of the first summation pass. */
    private static final int GROUPS = 64;

    private final ClContext cl;
    private final int ls;
    private final String options;
    private final Scratch partial, result, rowLoss;
    private final cl_mem unused;

    ClReduce(ClContext cl) {
        this.cl = cl;
        this.ls = (int) Math.min(256, Integer.highestOneBit((int) Math.min(cl.local1, Integer.MAX_VALUE)));
        this.options = "-DLS=" + ls;
        this.partial = new Scratch(cl.pool);
        this.result = new Scratch(cl.pool);
        this.rowLoss = new Scratch(cl.pool);
        this.unused = new Scratch(cl.pool).get(1);
    }

    /** Σ x (or Σ x² with {@code squares}): GROUPS partial sums, then one group sums those; one float is read back. */
    float sum(long n, Object x, boolean squares) {
        int count = ClElementwise.count(n);
        if (count == 0) return 0f;
        ClKernel k = cl.kernel(FILE, "sum_partials", options);
        int groups = (int) Math.min(GROUPS, (count + ls - 1) / ls);
        cl_mem p = partial.get(groups), out = result.get(1);
        cl.launch(k, new long[] {(long) groups * ls}, new long[] {ls}, count, squares ? 1 : 0, x, p);
        cl.launch(k, new long[] {ls}, new long[] {ls}, groups, 0, p, out);
        float[] v = new float[1];
        cl.read(out, 0, v, 0, 1);
        return v[0];
    }

    float softmaxCrossEntropy(int rows, int classes, ClStorage logits, ClStorage targets, ClStorage probs) {
        cl_mem loss = rowLoss.get(rows);
        cl.launch1(cl.kernel(FILE, "softmax_rows", options), rows, rows, classes, 1, logits, targets, probs, loss);
        return sum(rows, loss, false);
    }

    void softmax(int rows, int classes, ClStorage logits, ClStorage probs) {
        cl.launch1(cl.kernel(FILE, "softmax_rows", options), rows, rows, classes, 0, logits, unused, probs, unused);
    }

    void softmaxCrossEntropyGrad(int rows, int classes, ClStorage probs, ClStorage targets, float scale, ClStorage dLogits) {
        long n = (long) rows * classes;
        cl.launch1(cl.kernel(FILE, "softmax_xent_grad", options), n, ClElementwise.count(n), scale, probs, targets, dLogits);
    }
}
