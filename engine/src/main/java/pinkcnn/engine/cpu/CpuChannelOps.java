package pinkcnn.engine.cpu;

/**
 * Per-channel kernels over an NHWC tensor viewed as rows×c: the affine map of batch norm, its statistics and
 * gradients, and bias. Reductions over rows keep one partial per thread chunk, in double.
 */
final class CpuChannelOps {
    private static final int GRAIN = 512;
    /** Rows summed in float before their sums go into double ({@link #affineGrad}). */
    private static final int FLOAT_RUN = 64;
    private final Parallel parallel;

    CpuChannelOps(Parallel parallel) {
        this.parallel = parallel;
    }

    void affine(int rows, int c, float[] x, float[] scale, float[] shift, float[] y) {
        affineClamp(rows, c, x, scale, shift, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, y);
    }

    /** y = min(max(x·scale + shift, lo), hi) per channel: batch norm alone (±∞) or with its ReLU / ReLU6 (0, cap). */
    void affineClamp(int rows, int c, float[] x, float[] scale, float[] shift, float lo, float hi, float[] y) {
        parallel.forRange(rows, GRAIN, (from, to) -> {
            for (int r = from; r < to; r++) VectorMath.affineClamp(y, r * c, x, r * c, scale, shift, lo, hi, c);
        });
    }

    /**
     * dx += dy·scale; dScale += Σ dy·x; dShift += Σ dy, in one pass over dy and x: each row's vectors feed dx and
     * the sums, in float over runs of {@link #FLOAT_RUN} rows that then go into double sums per chunk, instead of one
     * pass for dx and another summing in double lane by lane (docs/kernels.md, "The training step").
     */
    void affineGrad(int rows, int c, float[] x, float[] dy, float[] scale, float[] dx, float[] dScale, float[] dShift) {
        if (dScale == null && dShift == null) {
            if (dx == null) return;
            parallel.forRange(rows, GRAIN, (from, to) -> {
                for (int r = from; r < to; r++) VectorMath.fma(dx, r * c, dy, r * c, scale, 0, c);
            });
            return;
        }
        int chunks = parallel.chunks(rows, GRAIN);
        double[][][] partial = new double[chunks][2][c];
        parallel.forChunks(rows, GRAIN, (chunk, from, to) -> {
            float[] runDy = new float[c], runDyX = new float[c];
            double[] sumDy = partial[chunk][0], sumDyX = partial[chunk][1];
            for (int r0 = from; r0 < to; r0 += FLOAT_RUN) {
                java.util.Arrays.fill(runDy, 0f);
                java.util.Arrays.fill(runDyX, 0f);
                for (int r = r0; r < Math.min(to, r0 + FLOAT_RUN); r++) {
                    VectorMath.affineGradRow(dy, x, r * c, scale, dx, runDy, runDyX, c);
                }
                for (int ch = 0; ch < c; ch++) {
                    sumDy[ch] += runDy[ch];
                    sumDyX[ch] += runDyX[ch];
                }
            }
        });
        for (double[][] p : partial) {
            for (int ch = 0; ch < c; ch++) {
                if (dShift != null) dShift[ch] += (float) p[0][ch];
                if (dScale != null) dScale[ch] += (float) p[1][ch];
            }
        }
    }

    void moments(int rows, int c, float[] x, float[] mean, float[] var) {
        double[][] sums = columnSums(rows, c, x, x); // Σx and Σx²
        for (int ch = 0; ch < c; ch++) {
            double m = sums[0][ch] / rows;
            mean[ch] = (float) m;
            var[ch] = (float) Math.max(sums[1][ch] / rows - m * m, 0.0);
        }
    }

    void scaleShift(int c, float[] gamma, float[] beta, float[] mean, float[] var, float eps, float[] scale, float[] shift) {
        for (int ch = 0; ch < c; ch++) {
            float s = (float) (gamma[ch] / Math.sqrt(var[ch] + (double) eps));
            scale[ch] = s;
            shift[ch] = beta[ch] - mean[ch] * s;
        }
    }

    void batchNormGrad(int rows, int c, float[] x, float[] dy, float[] mean, float[] var, float[] gamma, float eps,
                       float[] dx, float[] dGamma, float[] dBeta) {
        double[] invStd = new double[c];
        for (int ch = 0; ch < c; ch++) invStd[ch] = 1.0 / Math.sqrt(var[ch] + (double) eps);
        // Σ dy and Σ dy·x̂ per channel; Σ dy·x̂ = invStd·(Σ dy·x − mean·Σ dy)
        double[][] sums = columnSums(rows, c, dy, x);
        double[] sumDy = sums[0], sumDyXhat = new double[c];
        for (int ch = 0; ch < c; ch++) sumDyXhat[ch] = invStd[ch] * (sums[1][ch] - mean[ch] * sumDy[ch]);
        if (dx != null) {
            parallel.forRange(rows, GRAIN, (from, to) -> {
                for (int r = from; r < to; r++) {
                    int b = r * c;
                    for (int ch = 0; ch < c; ch++) {
                        double xhat = (x[b + ch] - mean[ch]) * invStd[ch];
                        dx[b + ch] += (float) (gamma[ch] * invStd[ch]
                                * (dy[b + ch] - sumDy[ch] / rows - xhat * sumDyXhat[ch] / rows));
                    }
                }
            });
        }
        for (int ch = 0; ch < c; ch++) {
            if (dGamma != null) dGamma[ch] += (float) sumDyXhat[ch];
            if (dBeta != null) dBeta[ch] += (float) sumDy[ch];
        }
    }

    void biasAdd(int rows, int c, float[] x, float[] bias, float[] y) {
        parallel.forRange(rows, GRAIN, (from, to) -> {
            for (int r = from; r < to; r++) {
                int b = r * c;
                for (int ch = 0; ch < c; ch++) y[b + ch] = x[b + ch] + bias[ch];
            }
        });
    }

    void biasGrad(int rows, int c, float[] dy, float[] dBias) {
        double[][] sums = columnSums(rows, c, dy, null);
        for (int ch = 0; ch < c; ch++) dBias[ch] += (float) sums[0][ch];
    }

    /** {Σ_r a[r,c], Σ_r a[r,c]·b[r,c]} per column, the second only when b is given. */
    private double[][] columnSums(int rows, int c, float[] a, float[] b) {
        int chunks = parallel.chunks(rows, GRAIN);
        double[][][] partial = new double[chunks][2][c];
        parallel.forChunks(rows, GRAIN, (chunk, from, to) -> {
            double[] sa = partial[chunk][0], sab = partial[chunk][1];
            for (int r = from; r < to; r++) {
                int base = r * c;
                for (int ch = 0; ch < c; ch++) {
                    float v = a[base + ch];
                    sa[ch] += v;
                    if (b != null) sab[ch] += v * (double) b[base + ch];
                }
            }
        });
        double[][] total = new double[2][c];
        for (double[][] p : partial)
            for (int ch = 0; ch < c; ch++) {
                total[0][ch] += p[0][ch];
                total[1][ch] += p[1][ch];
            }
        return total;
    }
}
