package pinkcnn.trainer.face;

import java.util.Locale;

/**
 * One face a detector found: its box in pixels of the photo as decoded (after the EXIF orientation), from
 * ({@code x0}, {@code y0}) to ({@code x1}, {@code y1}), and the detector's score in (0, 1).
 */
public record Face(double x0, double y0, double x1, double y1, double score) {

    public double width() {
        return x1 - x0;
    }

    public double height() {
        return y1 - y0;
    }

    public double centreX() {
        return (x0 + x1) / 2;
    }

    public double centreY() {
        return (y0 + y1) / 2;
    }

    public double area() {
        return Math.max(0, width()) * Math.max(0, height());
    }

    /** {@code [12,40 → 80,118] 0.998}. */
    @Override
    public String toString() {
        return String.format(Locale.ROOT, "[%.0f,%.0f → %.0f,%.0f] %.3f", x0, y0, x1, y1, score);
    }
}
