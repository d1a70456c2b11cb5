package pinkcnn.trainer.cam;

/**
 * The class activation map formulas on host arrays: activations A and gradient g of one image at one layer, h×w×c
 * in NHWC order (index (i·w + j)·c + k), maps h·w row-major. Sums run in double precision. A map is not normalised:
 * its values are in the units of the class score per unit of activation (Grad-CAM, HiResCAM), or of the activations
 * (EigenCAM).
 */
public final class CamMaps {
    private CamMaps() {}

    /** Grad-CAM: L_ij = ReLU(Σ_k w_k A_ijk) with w_k = (1/hw) Σ_ij g_ijk. */
    public static float[] gradCam(float[] a, float[] g, int h, int w, int c) {
        int hw = h * w;
        double[] weights = new double[c];
        for (int p = 0; p < hw; p++) for (int k = 0; k < c; k++) weights[k] += g[p * c + k];
        for (int k = 0; k < c; k++) weights[k] /= hw;
        return weighted(a, weights, hw, c);
    }

    /**
     * Grad-CAM++: L_ij = ReLU(Σ_k w_k A_ijk) with w_k = Σ_ij α_ijk ReLU(g_ijk) and, for the exponential of the class
     * score (the paper's closed form, which needs only first derivatives), α_ijk = g²/(2g² + Σ_ab A_abk · g³) =
     * 1/(2 + g_ijk Σ_ab A_abk). Only positive gradients count; a zero denominator contributes nothing.
     */
    public static float[] gradCamPlusPlus(float[] a, float[] g, int h, int w, int c) {
        int hw = h * w;
        double[] total = new double[c], weights = new double[c];
        for (int p = 0; p < hw; p++) for (int k = 0; k < c; k++) total[k] += a[p * c + k];
        for (int p = 0; p < hw; p++) {
            for (int k = 0; k < c; k++) {
                double gk = g[p * c + k], den = 2 + gk * total[k];
                if (gk > 0 && den != 0) weights[k] += gk / den;
            }
        }
        return weighted(a, weights, hw, c);
    }

    /** HiResCAM: L_ij = ReLU(Σ_k g_ijk A_ijk), the gradient kept per position instead of averaged. */
    public static float[] hiResCam(float[] a, float[] g, int h, int w, int c) {
        int hw = h * w;
        float[] out = new float[hw];
        for (int p = 0; p < hw; p++) {
            double s = 0;
            for (int k = 0; k < c; k++) s += (double) g[p * c + k] * a[p * c + k];
            out[p] = (float) Math.max(0, s);
        }
        return out;
    }

    /**
     * EigenCAM: the activations as an hw×c matrix X, each channel centred on its mean over the positions, projected
     * on its first principal component v (the top right singular vector): L = ReLU(X·v). A singular vector's sign is
     * arbitrary; it is chosen so that the projection correlates positively with the summed activations Σ_k A_ijk.
     */
    public static float[] eigenCam(float[] a, int h, int w, int c) {
        int hw = h * w;
        double[][] x = new double[hw][c];
        double[] mean = new double[c], sum = new double[hw];
        for (int p = 0; p < hw; p++) for (int k = 0; k < c; k++) mean[k] += a[p * c + k] / (double) hw;
        for (int p = 0; p < hw; p++) {
            for (int k = 0; k < c; k++) {
                x[p][k] = a[p * c + k] - mean[k];
                sum[p] += a[p * c + k];
            }
        }
        double[] proj = new double[hw];
        if (hw <= c) {
            // top eigenvector u of X·Xᵀ (hw×hw): X·v = σ·u
            double[][] gram = new double[hw][hw];
            for (int p = 0; p < hw; p++) for (int q = p; q < hw; q++) gram[p][q] = gram[q][p] = dot(x[p], x[q]);
            double[] u = topEigenvector(gram);
            double sigma = Math.sqrt(Math.max(0, dot(u, times(gram, u))));
            for (int p = 0; p < hw; p++) proj[p] = sigma * u[p];
        } else {
            // top eigenvector v of Xᵀ·X (c×c)
            double[][] cov = new double[c][c];
            for (int p = 0; p < hw; p++)
                for (int k = 0; k < c; k++) {
                    double xk = x[p][k];
                    if (xk != 0) for (int l = k; l < c; l++) cov[k][l] += xk * x[p][l];
                }
            for (int k = 0; k < c; k++) for (int l = 0; l < k; l++) cov[k][l] = cov[l][k];
            double[] v = topEigenvector(cov);
            for (int p = 0; p < hw; p++) proj[p] = dot(x[p], v);
        }
        double sumMean = 0;
        for (double s : sum) sumMean += s / hw;
        double agreement = 0;
        for (int p = 0; p < hw; p++) agreement += proj[p] * (sum[p] - sumMean);
        float[] out = new float[hw];
        for (int p = 0; p < hw; p++) out[p] = (float) Math.max(0, agreement < 0 ? -proj[p] : proj[p]);
        return out;
    }

    private static float[] weighted(float[] a, double[] weights, int hw, int c) {
        float[] out = new float[hw];
        for (int p = 0; p < hw; p++) {
            double s = 0;
            for (int k = 0; k < c; k++) s += weights[k] * a[p * c + k];
            out[p] = (float) Math.max(0, s);
        }
        return out;
    }

    /**
     * The unit eigenvector of the largest eigenvalue of a symmetric positive semi-definite matrix, by power iteration
     * from a fixed start (so the same input gives the same map); zero for the zero matrix.
     */
    static double[] topEigenvector(double[][] m) {
        int n = m.length;
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = 1 + 0.01 * (i % 7); // not orthogonal to the answer in practice
        if (normalise(v) == 0) return v;
        for (int it = 0; it < 5000; it++) {
            double[] next = times(m, v);
            if (normalise(next) == 0) return next;
            double change = 0;
            for (int i = 0; i < n; i++) change = Math.max(change, Math.abs(next[i] - v[i]));
            v = next;
            if (change < 1e-12) break;
        }
        return v;
    }

    private static double[] times(double[][] m, double[] v) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) out[i] = dot(m[i], v);
        return out;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }

    /** Scales v to unit length; returns the length before. */
    private static double normalise(double[] v) {
        double n = Math.sqrt(dot(v, v));
        if (n > 0) for (int i = 0; i < v.length; i++) v[i] /= n;
        return n;
    }
}
