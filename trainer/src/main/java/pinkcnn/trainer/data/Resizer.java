package pinkcnn.trainer.data;

import java.util.Arrays;

/**
 * Anti-aliased resampling of a rectangle of an RGB photo to {@code outW × outH}, as two separable passes (rows, then
 * columns) of a triangle (bilinear) filter.
 *
 * <p>When shrinking, the filter is widened by the shrink factor so every source pixel under an output pixel contributes
 * (an area-weighted average) instead of only the nearest ones; that is what keeps fine patterns from turning into
 * aliasing (moiré, jagged edges). When enlarging it is plain bilinear interpolation. Edges replicate border pixels.
 */
public final class Resizer {

    private Resizer() {
    }

    /** Resamples the whole image. */
    public static byte[] resize(RgbImage src, int outW, int outH) {
        return resize(src, 0, 0, src.width(), src.height(), outW, outH);
    }

    /**
     * Resamples the source rectangle at ({@code x0}, {@code y0}) of size {@code w × h} (in pixels, fractions allowed)
     * to {@code outW × outH}; returns interleaved RGB bytes.
     */
    public static byte[] resize(RgbImage src, double x0, double y0, double w, double h, int outW, int outH) {
        Taps cols = Taps.of(x0, w, outW, src.width());
        Taps rows = Taps.of(y0, h, outH, src.height());
        int firstRow = rows.minIndex(), rowCount = rows.maxIndex() - firstRow + 1;
        int rowLen = 3 * outW;

        // Pass 1: each source row that pass 2 needs, resampled horizontally to outW pixels.
        float[] tmp = new float[rowCount * rowLen];
        byte[] in = src.rgb();
        for (int r = 0; r < rowCount; r++) {
            int rowBase = 3 * (firstRow + r) * src.width();
            for (int x = 0, t = r * rowLen; x < outW; x++, t += 3) {
                float sr = 0, sg = 0, sb = 0;
                for (int k = cols.start[x]; k < cols.start[x + 1]; k++) {
                    int i = rowBase + 3 * cols.index[k];
                    float wgt = cols.weight[k];
                    sr += wgt * (in[i] & 0xFF);
                    sg += wgt * (in[i + 1] & 0xFF);
                    sb += wgt * (in[i + 2] & 0xFF);
                }
                tmp[t] = sr;
                tmp[t + 1] = sg;
                tmp[t + 2] = sb;
            }
        }

        // Pass 2: columns, from the horizontally resampled rows.
        byte[] out = new byte[outH * rowLen];
        float[] acc = new float[rowLen];
        for (int y = 0; y < outH; y++) {
            Arrays.fill(acc, 0f);
            for (int k = rows.start[y]; k < rows.start[y + 1]; k++) {
                int base = (rows.index[k] - firstRow) * rowLen;
                float wgt = rows.weight[k];
                for (int j = 0; j < rowLen; j++) acc[j] += wgt * tmp[base + j];
            }
            for (int j = 0, o = y * rowLen; j < rowLen; j++) out[o + j] = (byte) toByte(acc[j]);
        }
        return out;
    }

    static int toByte(float v) {
        int i = Math.round(v);
        return i < 0 ? 0 : Math.min(i, 255);
    }

    /**
     * For each output pixel along one axis, the source pixels it reads and their weights (normalised to sum 1):
     * output pixel {@code i} of {@code n} covering [start, start+length) has its centre at
     * {@code start + (i + 0.5) · length / n}; a triangle of radius {@code max(1, length / n)} around it weights them.
     */
    static final class Taps {
        final int[] start;   // taps of output i are [start[i], start[i+1])
        final int[] index;   // source pixel of each tap (clamped to the image)
        final float[] weight;

        private Taps(int[] start, int[] index, float[] weight) {
            this.start = start;
            this.index = index;
            this.weight = weight;
        }

        static Taps of(double origin, double length, int n, int srcLength) {
            // Only pixels of the source rectangle are read: beyond its edges the edge pixels repeat.
            int first = Math.max(0, (int) Math.floor(origin));
            int last = Math.min(srcLength, (int) Math.ceil(origin + length)) - 1;
            if (last < first) last = first = Math.min(Math.max(first, 0), srcLength - 1);
            double scale = length / n;
            double radius = Math.max(1.0, scale);
            int maxTaps = (int) Math.ceil(2 * radius) + 2;
            int[] start = new int[n + 1];
            int[] index = new int[n * maxTaps];
            float[] weight = new float[n * maxTaps];
            int k = 0;
            double[] w = new double[maxTaps];
            for (int i = 0; i < n; i++) {
                double centre = origin + (i + 0.5) * scale;      // in source pixel units, pixel j centred at j + 0.5
                int lo = (int) Math.floor(centre - radius), hi = (int) Math.ceil(centre + radius);
                double sum = 0;
                int m = 0;
                int from = k;
                for (int j = lo; j <= hi && m < maxTaps; j++) {
                    double d = Math.abs(j + 0.5 - centre) / radius;
                    if (d >= 1) continue;
                    w[m] = 1 - d;
                    sum += w[m];
                    index[k + m] = Math.min(Math.max(j, first), last);
                    m++;
                }
                if (m == 0) {   // degenerate (zero-length source): nearest pixel
                    index[k] = Math.min(Math.max((int) Math.floor(centre), first), last);
                    w[0] = sum = 1;
                    m = 1;
                }
                for (int t = 0; t < m; t++) weight[from + t] = (float) (w[t] / sum);
                k += m;
                start[i + 1] = k;
            }
            return new Taps(start, Arrays.copyOf(index, k), Arrays.copyOf(weight, k));
        }

        int minIndex() {
            int min = Integer.MAX_VALUE;
            for (int i : index) min = Math.min(min, i);
            return min;
        }

        int maxIndex() {
            int max = Integer.MIN_VALUE;
            for (int i : index) max = Math.max(max, i);
            return max;
        }
    }
}
