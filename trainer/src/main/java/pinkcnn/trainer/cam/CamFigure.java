package pinkcnn.trainer.cam;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import pinkcnn.trainer.data.Resizer;
import pinkcnn.trainer.data.RgbImage;
import pinkcnn.trainer.report.Canvas;
import pinkcnn.trainer.report.ColourMap;
import pinkcnn.trainer.report.Plots;

/**
 * Draws class activation maps over photos. The map (layer resolution) is upsampled bilinearly with pixel centres
 * aligned — cell (i, j) of an h×w map sits at the centre of the i-th of h equal bands of the input — scaled by its
 * maximum and blended over the photo in the {@link ColourMap#JET} colours: the stronger the evidence, the more
 * opaque and the redder.
 */
public final class CamFigure {
    static {
        System.setProperty("java.awt.headless", "true");
    }

    /** The colour map of every overlay. */
    public static final ColourMap COLOURS = ColourMap.JET;
    /** Side of the network's view in a figure, and height of the original photo beside it. */
    static final int PANEL = 256;
    private static final int MARGIN = 16, TITLE = 58, CAPTION = 24, BAR = 14, BAR_LABELS = 56;

    private CamFigure() {}

    /**
     * The figure of one map: the map over the photo as the network saw it (its input, {@code size × size}), the same
     * map over the original photo in the crop box the input was cut from (dimmed outside it), a colour bar in the
     * map's units, and a title with the class, its probability, the method and the layer.
     *
     * @param network the network's input, RGB bytes
     * @param original the decoded photo, or null to draw the network's view only
     * @param box      the crop box in the original photo, {x0, y0, w, h}
     */
    public static void write(Path png, byte[] network, int size, RgbImage original, double[] box, float[] map, int mh,
                             int mw, String className, float probability, CamMethod method, String layer, String photo)
            throws IOException {
        double max = max(map);
        int origW = 0;
        if (original != null) origW = Math.min(2 * PANEL, Math.max(1, (int) Math.round(PANEL * original.width() / (double) original.height())));
        int width = MARGIN + PANEL + (original != null ? MARGIN + origW : 0) + MARGIN + BAR + BAR_LABELS;
        int height = TITLE + PANEL + CAPTION + MARGIN / 2;
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = Canvas.white(image);
        try {
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
            g.drawString(String.format(Locale.ROOT, "%s  %.1f %%  ·  %s", className, 100 * probability, method.title()), MARGIN, 22);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            g.drawString(String.format(Locale.ROOT, "%s  ·  layer %s (%d×%d)%s", photo, layer, mh, mw,
                    max > 0 ? "" : "  ·  the map is 0 everywhere"), MARGIN, 42);

            RgbImage input = new RgbImage(size, size, network);
            g.drawImage(overlay(input, PANEL, PANEL, new double[] {0, 0, size, size}, map, mh, mw, max), MARGIN, TITLE, null);
            caption(g, "as the network saw it (" + size + "×" + size + ")", MARGIN, PANEL);
            int x = MARGIN + PANEL + MARGIN;
            if (original != null) {
                g.drawImage(overlay(original, origW, PANEL, box, map, mh, mw, max), x, TITLE, null);
                double sx = origW / (double) original.width(), sy = PANEL / (double) original.height();
                g.setColor(Color.WHITE);
                g.setStroke(new BasicStroke(1.5f));
                g.drawRect(x + (int) Math.round(box[0] * sx), TITLE + (int) Math.round(box[1] * sy),
                        (int) Math.round(box[2] * sx) - 1, (int) Math.round(box[3] * sy) - 1);
                caption(g, "on the photo (" + original.width() + "×" + original.height() + "), crop box", x, origW);
                x += origW + MARGIN;
            }
            g.setColor(Color.BLACK);
            COLOURS.drawBar(g, x, TITLE, BAR, PANEL, 0, max);
        } catch (RuntimeException | Error e) {
            throw Plots.drawingFailed(png, e);
        } finally {
            g.dispose();
        }
        Plots.writePng(image, png);
    }

    private static void caption(Graphics2D g, String text, int x, int width) {
        g.setColor(Color.DARK_GRAY);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        FontMetrics fm = g.getFontMetrics();
        g.drawString(text, x + Math.max(0, (width - fm.stringWidth(text)) / 2), TITLE + PANEL + 16);
    }

    /**
     * The photo resampled to {@code outW × outH} with the map blended over the part {@code box} (in the photo's
     * pixels, {x0, y0, w, h}) that the map covers; the rest is dimmed. {@code max} scales the map to [0, 1].
     */
    public static BufferedImage overlay(RgbImage photo, int outW, int outH, double[] box, float[] map, int mh, int mw,
                                        double max) {
        byte[] px = Resizer.resize(photo, outW, outH);
        double sx = outW / (double) photo.width(), sy = outH / (double) photo.height();
        double bx = box[0] * sx, by = box[1] * sy, bw = box[2] * sx, bh = box[3] * sy;
        BufferedImage out = new BufferedImage(outW, outH, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < outH; y++) {
            for (int x = 0; x < outW; x++) {
                int i = 3 * (y * outW + x);
                int r = px[i] & 0xFF, gr = px[i + 1] & 0xFF, b = px[i + 2] & 0xFF;
                double fx = (x + 0.5 - bx) / bw, fy = (y + 0.5 - by) / bh;
                if (fx < 0 || fx >= 1 || fy < 0 || fy >= 1) {
                    out.setRGB(x, y, ((r / 2) << 16) | ((gr / 2) << 8) | (b / 2));
                    continue;
                }
                double v = max > 0 ? sample(map, mh, mw, fy * mh - 0.5, fx * mw - 0.5) / max : 0;
                int c = COLOURS.rgb(v);
                double alpha = 0.25 + 0.45 * Math.min(1, Math.max(0, v));
                r = blend(r, c >> 16 & 0xFF, alpha);
                gr = blend(gr, c >> 8 & 0xFF, alpha);
                b = blend(b, c & 0xFF, alpha);
                out.setRGB(x, y, (r << 16) | (gr << 8) | b);
            }
        }
        return out;
    }

    private static int blend(int photo, int colour, double alpha) {
        return (int) Math.round((1 - alpha) * photo + alpha * colour);
    }

    /** Bilinear sample of an h×w map at (row, column) in cell coordinates, edges clamped. */
    static double sample(float[] map, int h, int w, double row, double col) {
        row = Math.max(0, Math.min(h - 1, row));
        col = Math.max(0, Math.min(w - 1, col));
        int r0 = (int) row, c0 = (int) col, r1 = Math.min(h - 1, r0 + 1), c1 = Math.min(w - 1, c0 + 1);
        double fr = row - r0, fc = col - c0;
        double top = map[r0 * w + c0] * (1 - fc) + map[r0 * w + c1] * fc;
        double bottom = map[r1 * w + c0] * (1 - fc) + map[r1 * w + c1] * fc;
        return top * (1 - fr) + bottom * fr;
    }

    static double max(float[] map) {
        double m = 0;
        for (float v : map) m = Math.max(m, v);
        return m;
    }
}
