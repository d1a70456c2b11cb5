package pinkcnn.trainer.data;

import java.util.Arrays;
import java.io.PrintWriter;
import java.util.Locale;

/** Per-channel mean, standard deviation, minimum and maximum over every pixel of a dataset file. */
record PixelStats(long pixels, double[] mean, double[] std, int[] min, int[] max) {

    static PixelStats of(DatasetReader data) {
        int ch = data.channels();
        long[] sum = new long[ch];
        double[] sumSq = new double[ch];
        int[] min = new int[ch], max = new int[ch];
        Arrays.fill(min, 255);
        long pixels = 0;
        byte[] img = new byte[data.imageBytes()];
        for (int i = 0; i < data.count(); i++) {
            data.readImages(i, 1, img, 0);
            long[] s = new long[ch], sq = new long[ch];     // exact per image, doubles across images
            for (int j = 0; j < img.length; j++) {
                int c = j % ch, v = img[j] & 0xFF;
                s[c] += v;
                sq[c] += v * v;
                if (v < min[c]) min[c] = v;
                if (v > max[c]) max[c] = v;
            }
            for (int c = 0; c < ch; c++) {
                sum[c] += s[c];
                sumSq[c] += sq[c];
            }
            pixels += img.length / ch;
        }
        double[] mean = new double[ch], std = new double[ch];
        for (int c = 0; c < ch; c++) {
            mean[c] = pixels == 0 ? 0 : (double) sum[c] / pixels;
            std[c] = pixels == 0 ? 0 : Math.sqrt(Math.max(0, sumSq[c] / pixels - mean[c] * mean[c]));
        }
        return new PixelStats(pixels, mean, std, min, max);
    }

    void print(PrintWriter out) {
        String[] names = mean.length == 3 ? new String[] {"R", "G", "B"} : null;
        out.printf(Locale.ROOT, "pixels: %,d per channel%n", pixels);
        out.printf("%8s %8s %8s %5s %5s%n", "channel", "mean", "std", "min", "max");
        for (int c = 0; c < mean.length; c++) {
            out.printf(Locale.ROOT, "%8s %8.2f %8.2f %5d %5d%n", names != null ? names[c] : Integer.toString(c),
                    mean[c], std[c], min[c], max[c]);
        }
    }
}
