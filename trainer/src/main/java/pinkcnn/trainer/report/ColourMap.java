package pinkcnn.trainer.report;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.util.Locale;

/**
 * The colour maps of every PNG pinkcnn draws: a value in [0, 1] becomes a colour by piecewise-linear interpolation
 * between a few anchor colours. One implementation for the confusion matrix ({@link #BLUES}), {@code inspect}'s
 * feature maps ({@link #VIRIDIS}) and the class activation maps of {@code cam} ({@link #JET}).
 */
public enum ColourMap {
    /** Light to dark blue: counts in the confusion matrix. */
    BLUES(0xF7FBFF, 0xC6DBEF, 0x6BAED6, 0x2171B5, 0x08306B),
    /** Matplotlib's perceptually uniform dark violet → green → yellow, sampled at ninths: feature maps. */
    VIRIDIS(0x440154, 0x472D7B, 0x3B528B, 0x2C728E, 0x21918C, 0x28AE80, 0x5EC962, 0xADDC30, 0xFDE725),
    /**
     * Dark blue → cyan → yellow → dark red: the colour map of the Grad-CAM papers' figures, so that overlays read as
     * they do there (blue: no evidence, red: the most).
     */
    JET(0x00007F, 0x0000FF, 0x007FFF, 0x00FFFF, 0x7FFF7F, 0xFFFF00, 0xFF7F00, 0xFF0000, 0x7F0000);

    private final Color[] anchors;

    ColourMap(int... rgb) {
        anchors = new Color[rgb.length];
        for (int i = 0; i < rgb.length; i++) anchors[i] = new Color(rgb[i]);
    }

    /** The colour of {@code v}, clamped to [0, 1] (NaN counts as 0). */
    public Color colour(double v) {
        return new Color(rgb(v));
    }

    /** {@link #colour} as packed 0xRRGGBB. */
    public int rgb(double v) {
        double pos = (v > 0 ? Math.min(1, v) : 0) * (anchors.length - 1);
        int i = Math.min((int) pos, anchors.length - 2);
        double f = pos - i;
        Color a = anchors[i], b = anchors[i + 1];
        int r = (int) Math.round(a.getRed() + f * (b.getRed() - a.getRed()));
        int g = (int) Math.round(a.getGreen() + f * (b.getGreen() - a.getGreen()));
        int bl = (int) Math.round(a.getBlue() + f * (b.getBlue() - a.getBlue()));
        return (r << 16) | (g << 8) | bl;
    }

    /**
     * A vertical colour bar at (x, y), {@code width × height}, high values at the top, labelled on its right with
     * {@code lo}, the midpoint and {@code hi} (a font is needed).
     */
    public void drawBar(Graphics2D g, int x, int y, int width, int height, double lo, double hi) {
        drawBar(g, x, y, width, height, label(hi), label((lo + hi) / 2), label(lo));
    }

    /** A vertical colour bar labelled at its top, middle and bottom (null: no label there). */
    public void drawBar(Graphics2D g, int x, int y, int width, int height, String top, String middle, String bottom) {
        for (int row = 0; row < height; row++) {
            g.setColor(colour(1 - row / (double) Math.max(1, height - 1)));
            g.fillRect(x, y + row, width, 1);
        }
        g.setColor(Color.DARK_GRAY);
        g.drawRect(x, y, width - 1, height - 1);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        FontMetrics fm = g.getFontMetrics();
        String[] labels = {top, middle, bottom};
        for (int k = 0; k <= 2; k++) {
            if (labels[k] == null) continue;
            int ty = y + k * (height - 1) / 2;
            g.drawLine(x + width, ty, x + width + 3, ty);
            g.drawString(labels[k], x + width + 5, ty + (fm.getAscent() - fm.getDescent()) / 2);
        }
    }

    /** A short number: 3 significant digits, no exponent for ordinary sizes. */
    static String label(double v) {
        if (v == 0) return "0";
        double a = Math.abs(v);
        if (a >= 1e-3 && a < 1e5) return String.format(Locale.ROOT, a >= 100 ? "%.0f" : a >= 10 ? "%.1f" : a >= 1 ? "%.2f" : "%.3g", v);
        return String.format(Locale.ROOT, "%.2e", v);
    }
}
