package pinkcnn.trainer.face;

import java.util.SplittableRandom;
import pinkcnn.trainer.data.Resizer;
import pinkcnn.trainer.data.RgbImage;

/**
 * Synthetic cluttered pictures to paste faces into: a gradient with random rectangles, ellipses, bars, stripes,
 * checkerboards and noise, drawn with integer loops (no Java2D, whose anti-aliasing may differ between JDKs) from a
 * seeded {@link SplittableRandom}, so the same seed gives the same bytes everywhere.
 */
public final class Scenes {
    private Scenes() {}

    /** A {@code w × h} cluttered picture. */
    public static RgbImage clutter(int w, int h, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        byte[] px = new byte[3 * w * h];
        int[] top = colour(r), bottom = colour(r);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = 3 * (y * w + x);
                for (int c = 0; c < 3; c++) px[i + c] = (byte) (top[c] + (bottom[c] - top[c]) * y / Math.max(1, h - 1));
            }
        }
        int shapes = 30 + r.nextInt(40);
        for (int s = 0; s < shapes; s++) {
            int[] col = colour(r), col2 = colour(r);
            int x0 = r.nextInt(w), y0 = r.nextInt(h);
            int sw = 8 + r.nextInt(Math.max(9, w / 3)), sh = 8 + r.nextInt(Math.max(9, h / 3));
            int kind = r.nextInt(5);
            for (int y = Math.max(0, y0); y < Math.min(h, y0 + sh); y++) {
                for (int x = Math.max(0, x0); x < Math.min(w, x0 + sw); x++) {
                    int dx = 2 * (x - x0) - sw, dy = 2 * (y - y0) - sh;
                    boolean inside;
                    int[] c = col;
                    switch (kind) {
                        case 0 -> inside = true;                                                    // rectangle
                        case 1 -> inside = (long) dx * dx * sh * sh + (long) dy * dy * sw * sw <= (long) sw * sw * sh * sh; // ellipse
                        case 2 -> { inside = true; if (((x - x0) / 6) % 2 == 1) c = col2; }          // stripes
                        case 3 -> { inside = true; if ((((x - x0) / 10) + ((y - y0) / 10)) % 2 == 1) c = col2; } // checks
                        default -> inside = Math.abs((x - x0) * sh - (y - y0) * sw) < 3 * Math.max(sw, sh); // a bar
                    }
                    if (!inside) continue;
                    int i = 3 * (y * w + x);
                    for (int k = 0; k < 3; k++) px[i + k] = (byte) c[k];
                }
            }
        }
        for (int i = 0; i < px.length; i++) {
            int v = (px[i] & 0xFF) + r.nextInt(25) - 12;
            px[i] = (byte) Math.min(255, Math.max(0, v));
        }
        return new RgbImage(w, h, px);
    }

    private static int[] colour(SplittableRandom r) {
        return new int[] {r.nextInt(256), r.nextInt(256), r.nextInt(256)};
    }

    /**
     * Pastes {@code tile} resized to {@code side × side} with its top-left corner at (x, y) (parts outside the canvas
     * are cut off). With {@code oval}, only an ellipse of the tile is pasted, its edge blended over 8 % of the side.
     */
    public static void paste(RgbImage canvas, RgbImage tile, int x, int y, int side, boolean oval) {
        byte[] t = Resizer.resize(tile, side, side);
        byte[] c = canvas.rgb();
        int w = canvas.width(), h = canvas.height();
        double feather = Math.max(1, 0.08 * side);
        for (int ty = 0; ty < side; ty++) {
            int cy = y + ty;
            if (cy < 0 || cy >= h) continue;
            for (int tx = 0; tx < side; tx++) {
                int cx = x + tx;
                if (cx < 0 || cx >= w) continue;
                double alpha = 1;
                if (oval) {
                    // distance inside the ellipse (radii 0.42 and 0.5 of the side), in pixels, roughly
                    double nx = (tx + 0.5 - side / 2.0) / (0.42 * side), ny = (ty + 0.5 - side / 2.0) / (0.5 * side);
                    double d = (1 - Math.sqrt(nx * nx + ny * ny)) * 0.46 * side;
                    alpha = Math.min(1, Math.max(0, d / feather));
                }
                if (alpha <= 0) continue;
                int ci = 3 * (cy * w + cx), ti = 3 * (ty * side + tx);
                for (int k = 0; k < 3; k++) {
                    double v = alpha * (t[ti + k] & 0xFF) + (1 - alpha) * (c[ci + k] & 0xFF);
                    c[ci + k] = (byte) (int) Math.round(v);
                }
            }
        }
    }
}
