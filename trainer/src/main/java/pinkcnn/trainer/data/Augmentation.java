package pinkcnn.trainer.data;

import java.util.SplittableRandom;

/**
 * Random variants of a square training image, as Keras' ImageDataGenerator makes them: a rotation of up to
 * ±{@code rotationDegrees}, a shift of up to ±{@code shift} of the side in each direction, a zoom by a factor in
 * [1 − zoom, 1 + zoom], a horizontal flip half of the time, and a brightness factor in [1 − brightness, 1 + brightness].
 *
 * <p>The geometric part is one affine map about the image centre; each output pixel is read from the source by
 * bilinear interpolation at the inverse-mapped position, and positions outside the image take the nearest border pixel
 * (Keras' {@code fill_mode='nearest'}). A variant depends only on the image and the seed, not on threads or order.
 */
public record Augmentation(double rotationDegrees, double shift, double zoom, boolean flip, double brightness) {

    public static final Augmentation DEFAULT = new Augmentation(20, 0.10, 0.10, true, 0.20);

    public Augmentation {
        // Written so that NaN fails too (every comparison with NaN is false).
        if (!(rotationDegrees >= 0 && rotationDegrees <= 180)) {
            throw new IllegalArgumentException("--rotation must be in [0, 180] degrees, not " + rotationDegrees);
        }
        if (!(shift >= 0 && shift < 1)) throw new IllegalArgumentException("--shift must be in [0, 1), not " + shift);
        if (!(zoom >= 0 && zoom < 1)) throw new IllegalArgumentException("--zoom must be in [0, 1), not " + zoom);
        if (!(brightness >= 0 && brightness < 1)) throw new IllegalArgumentException("--brightness must be in [0, 1), not " + brightness);
    }

    /** The random draws behind one variant. */
    public record Params(double angleRadians, double shiftX, double shiftY, double scale, boolean flipped, double gain) {
    }

    /** Draws the parameters of one variant from {@code seed}. */
    public Params draw(long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        double angle = Math.toRadians(uniform(rng, rotationDegrees));
        double sx = uniform(rng, shift), sy = uniform(rng, shift);
        double scale = 1 + uniform(rng, zoom);
        boolean flipped = flip && rng.nextBoolean();
        double gain = 1 + uniform(rng, brightness);
        return new Params(angle, sx, sy, scale, flipped, gain);
    }

    /** A variant of the {@code size × size} RGB image {@code src} drawn from {@code seed}. */
    public byte[] apply(byte[] src, int size, long seed) {
        return apply(src, size, draw(seed));
    }

    /** A variant with the given parameters. */
    public static byte[] apply(byte[] src, int size, Params p) {
        if (src.length != 3 * size * size) throw new IllegalArgumentException("expected a " + size + "×" + size + " RGB image");
        byte[] out = new byte[src.length];
        double c = size / 2.0;
        // Forward map (source → output), about the centre c: flip, zoom, rotate, shift.
        // Inverse for output pixel centre (x, y): u = (x − c − dx), v = (y − c − dy); rotate by −angle; divide by
        // scale; unflip; add c. Pixel centres sit at integer + 0.5.
        double cos = Math.cos(p.angleRadians()), sin = Math.sin(p.angleRadians());
        double dx = p.shiftX() * size, dy = p.shiftY() * size;
        double inv = 1 / p.scale();
        float gain = (float) p.gain();
        for (int y = 0; y < size; y++) {
            double v = y + 0.5 - c - dy;
            for (int x = 0; x < size; x++) {
                double u = x + 0.5 - c - dx;
                double su = (cos * u + sin * v) * inv;
                double sv = (-sin * u + cos * v) * inv;
                if (p.flipped()) su = -su;
                double fx = su + c - 0.5, fy = sv + c - 0.5;    // continuous source coordinates of pixel indices
                int o = 3 * (y * size + x);
                sampleBilinear(src, size, fx, fy, gain, out, o);
            }
        }
        return out;
    }

    private static void sampleBilinear(byte[] src, int size, double fx, double fy, float gain, byte[] out, int o) {
        fx = Math.min(Math.max(fx, 0), size - 1);
        fy = Math.min(Math.max(fy, 0), size - 1);
        int x0 = (int) fx, y0 = (int) fy;
        int x1 = Math.min(x0 + 1, size - 1), y1 = Math.min(y0 + 1, size - 1);
        float ax = (float) (fx - x0), ay = (float) (fy - y0);
        int i00 = 3 * (y0 * size + x0), i01 = 3 * (y0 * size + x1), i10 = 3 * (y1 * size + x0), i11 = 3 * (y1 * size + x1);
        for (int ch = 0; ch < 3; ch++) {
            float top = (src[i00 + ch] & 0xFF) * (1 - ax) + (src[i01 + ch] & 0xFF) * ax;
            float bottom = (src[i10 + ch] & 0xFF) * (1 - ax) + (src[i11 + ch] & 0xFF) * ax;
            out[o + ch] = (byte) Resizer.toByte((top * (1 - ay) + bottom * ay) * gain);
        }
    }

    private static double uniform(SplittableRandom rng, double range) {
        return range == 0 ? 0 : rng.nextDouble(-range, range);
    }
}
