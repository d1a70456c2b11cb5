package pinkcnn.trainer.data;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * Fingerprints used to find duplicates: SHA-256 of the file (byte-identical copies), SHA-256 of the decoded pixels
 * (the same photo saved twice, e.g. as PNG and BMP), and a 64-bit perceptual hash (the same photo re-encoded,
 * resized or slightly edited).
 *
 * <p>The perceptual hash is the classic DCT "pHash": shrink the photo to 32×32 grey, take its 2-D DCT, keep the 8×8
 * lowest frequencies (the coarse layout of light and dark) and set one bit per coefficient that is above their
 * median. Similar photos differ in few bits ({@link #distance}); unrelated ones in about 32.
 */
public final class ImageHashes {

    private static final int SMALL = 32, LOW = 8;
    private static final double[][] DCT = dctMatrix(SMALL);

    private ImageHashes() {
    }

    /** SHA-256 of the bytes, as 64 lower-case hex digits. */
    public static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(digest().digest(bytes));
    }

    /** SHA-256 of the size and RGB pixels. */
    public static String pixelHash(RgbImage image) {
        MessageDigest d = digest();
        d.update(ByteBuffer.allocate(8).putInt(image.width()).putInt(image.height()).array());
        d.update(image.rgb());
        return HexFormat.of().formatHex(d.digest());
    }

    /** The 64-bit DCT perceptual hash. */
    public static long perceptualHash(RgbImage image) {
        byte[] small = Resizer.resize(image, SMALL, SMALL);
        double[][] grey = new double[SMALL][SMALL];
        for (int y = 0; y < SMALL; y++) {
            for (int x = 0; x < SMALL; x++) {
                int i = 3 * (y * SMALL + x);
                grey[y][x] = 0.299 * (small[i] & 0xFF) + 0.587 * (small[i + 1] & 0xFF) + 0.114 * (small[i + 2] & 0xFF);
            }
        }
        // Low-frequency block of DCT · grey · DCTᵀ.
        double[][] rowsDct = new double[LOW][SMALL];
        for (int u = 0; u < LOW; u++) {
            for (int x = 0; x < SMALL; x++) {
                double s = 0;
                for (int y = 0; y < SMALL; y++) s += DCT[u][y] * grey[y][x];
                rowsDct[u][x] = s;
            }
        }
        double[] coeffs = new double[LOW * LOW];
        for (int u = 0; u < LOW; u++) {
            for (int v = 0; v < LOW; v++) {
                double s = 0;
                for (int x = 0; x < SMALL; x++) s += rowsDct[u][x] * DCT[v][x];
                coeffs[u * LOW + v] = s;
            }
        }
        // As the widely used imagehash.phash: threshold the 64 coefficients at their median.
        double[] sorted = coeffs.clone();
        Arrays.sort(sorted);
        double median = (sorted[31] + sorted[32]) / 2;
        long hash = 0;
        for (int i = 0; i < coeffs.length; i++) {
            if (coeffs[i] > median) hash |= 1L << i;
        }
        return hash;
    }

    /** Hamming distance between two perceptual hashes: 0 = same layout, about 32 = unrelated. */
    public static int distance(long a, long b) {
        return Long.bitCount(a ^ b);
    }

    private static double[][] dctMatrix(int n) {
        double[][] m = new double[n][n];
        for (int u = 0; u < n; u++) {
            double scale = Math.sqrt((u == 0 ? 1.0 : 2.0) / n);
            for (int x = 0; x < n; x++) m[u][x] = scale * Math.cos(Math.PI * (2 * x + 1) * u / (2.0 * n));
        }
        return m;
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
