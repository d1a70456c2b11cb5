package pinkcnn.engine.cpu;

/**
 * A per-channel affine map and clamp applied to a kernel's output while it is still in cache (frozen batch norm and
 * the ReLU after it): out = clamp(out·scale[c] + shift[c], lo, hi).
 */
record OutputStage(float[] scale, float[] shift, float lo, float hi) {
    /** The stage that changes nothing (for kernels that always run one). */
    static OutputStage identity(int channels) {
        float[] ones = new float[channels];
        java.util.Arrays.fill(ones, 1f);
        return new OutputStage(ones, new float[channels], Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY);
    }

    /** Applies the stage to {@code len} channels of y from {@code yi}, channel {@code c0} first. */
    void apply(float[] y, int yi, int c0, int len) {
        VectorMath.affineClamp(y, yi, y, yi, scale, shift, c0, lo, hi, len);
    }
}
