package pinkcnn.kernels;

/**
 * A per-channel output stage fused into a kernel's stores: out = clamp(out·scale[c] + shift[c], lo, hi) (frozen batch
 * norm, then a ReLU or ReLU6 or nothing). Kernels built with {@code -DEPILOGUE=1} take {@link #args()} after their
 * own arguments.
 */
record Epilogue(ClStorage scale, ClStorage shift, float lo, float hi) {
    static final String OPTION = " -DEPILOGUE=1";

    Object[] args() {
        return new Object[] {scale, shift, lo, hi};
    }

    /** {@code head} followed by the epilogue's arguments when there is one. */
    static Object[] append(Object[] head, Epilogue e) {
        if (e == null) return head;
        Object[] tail = e.args(), all = new Object[head.length + tail.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(tail, 0, all, head.length, tail.length);
        return all;
    }
}
