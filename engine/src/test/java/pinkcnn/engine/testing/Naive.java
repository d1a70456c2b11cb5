package pinkcnn.engine.testing;

import pinkcnn.engine.backend.ConvGeometry;

/**
 * Direct, loop-for-loop implementations in double precision, written straight from the definitions: the yardstick
 * for the optimised kernels' forward results.
 */
public final class Naive {
    private Naive() {}

    public static double[] gemm(boolean ta, boolean tb, int m, int n, int k, float[] a, float[] b) {
        double[] c = new double[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) s += (double) (ta ? a[p * m + i] : a[i * k + p]) * (tb ? b[j * k + p] : b[p * n + j]);
                c[i * n + j] = s;
            }
        return c;
    }

    public static double[] conv2d(ConvGeometry g, float[] x, float[] w) {
        double[] y = new double[(int) g.outputSize()];
        for (int n = 0; n < g.n(); n++)
            for (int oh = 0; oh < g.outH(); oh++)
                for (int ow = 0; ow < g.outW(); ow++)
                    for (int co = 0; co < g.cout(); co++) {
                        double s = 0;
                        for (int i = 0; i < g.kh(); i++)
                            for (int j = 0; j < g.kw(); j++) {
                                int ih = oh * g.stride() + i - g.padTop(), iw = ow * g.stride() + j - g.padLeft();
                                if (ih < 0 || ih >= g.h() || iw < 0 || iw >= g.w()) continue;
                                for (int ci = 0; ci < g.cin(); ci++)
                                    s += (double) x[((n * g.h() + ih) * g.w() + iw) * g.cin() + ci]
                                            * w[((i * g.kw() + j) * g.cin() + ci) * g.cout() + co];
                            }
                        y[((n * g.outH() + oh) * g.outW() + ow) * g.cout() + co] = s;
                    }
        return y;
    }

    public static double[] depthwise(ConvGeometry g, float[] x, float[] w) {
        int c = g.cin();
        double[] y = new double[(int) g.outputSize()];
        for (int n = 0; n < g.n(); n++)
            for (int oh = 0; oh < g.outH(); oh++)
                for (int ow = 0; ow < g.outW(); ow++)
                    for (int ch = 0; ch < c; ch++) {
                        double s = 0;
                        for (int i = 0; i < g.kh(); i++)
                            for (int j = 0; j < g.kw(); j++) {
                                int ih = oh * g.stride() + i - g.padTop(), iw = ow * g.stride() + j - g.padLeft();
                                if (ih < 0 || ih >= g.h() || iw < 0 || iw >= g.w()) continue;
                                s += (double) x[((n * g.h() + ih) * g.w() + iw) * c + ch] * w[(i * g.kw() + j) * c + ch];
                            }
                        y[((n * g.outH() + oh) * g.outW() + ow) * c + ch] = s;
                    }
        return y;
    }

    public static double[] maxPool(ConvGeometry g, float[] x) {
        int c = g.cin();
        double[] y = new double[(int) g.outputSize()];
        for (int n = 0; n < g.n(); n++)
            for (int oh = 0; oh < g.outH(); oh++)
                for (int ow = 0; ow < g.outW(); ow++)
                    for (int ch = 0; ch < c; ch++) {
                        double m = Double.NEGATIVE_INFINITY;
                        for (int i = 0; i < g.kh(); i++)
                            for (int j = 0; j < g.kw(); j++) {
                                int ih = oh * g.stride() + i - g.padTop(), iw = ow * g.stride() + j - g.padLeft();
                                if (ih < 0 || ih >= g.h() || iw < 0 || iw >= g.w()) continue;
                                m = Math.max(m, x[((n * g.h() + ih) * g.w() + iw) * c + ch]);
                            }
                        y[((n * g.outH() + oh) * g.outW() + ow) * c + ch] = m;
                    }
        return y;
    }

    public static double[] globalAveragePool(int n, int hw, int c, float[] x) {
        double[] y = new double[n * c];
        for (int img = 0; img < n; img++)
            for (int p = 0; p < hw; p++)
                for (int ch = 0; ch < c; ch++) y[img * c + ch] += x[(img * hw + p) * c + ch] / (double) hw;
        return y;
    }

    /** Batch norm with given statistics: γ(x − μ)/√(σ²+ε) + β per channel. */
    public static double[] batchNorm(float[] x, int c, float[] gamma, float[] beta, double[] mean, double[] var, double eps) {
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            int ch = i % c;
            y[i] = gamma[ch] * (x[i] - mean[ch]) / Math.sqrt(var[ch] + eps) + beta[ch];
        }
        return y;
    }

    /** Per-channel mean and biased variance, in double. */
    public static double[][] moments(float[] x, int c) {
        int rows = x.length / c;
        double[] mean = new double[c], var = new double[c];
        for (int i = 0; i < x.length; i++) mean[i % c] += x[i] / (double) rows;
        for (int i = 0; i < x.length; i++) var[i % c] += Math.pow(x[i] - mean[i % c], 2) / rows;
        return new double[][] {mean, var};
    }
}
