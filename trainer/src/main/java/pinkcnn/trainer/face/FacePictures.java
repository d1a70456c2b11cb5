package pinkcnn.trainer.face;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import pinkcnn.engine.io.AtomicFiles;
import pinkcnn.trainer.data.RgbImage;

/** Photos with boxes drawn on them and a caption above each box ({@code detect --png}, {@code predict --png}). */
public final class FacePictures {
    /** One box to draw and its caption (null for none). */
    public record Box(Face face, String caption) {}

    private static final Color[] COLOURS = {new Color(0x00e676), new Color(0xffea00), new Color(0x40c4ff),
            new Color(0xff4081), new Color(0xffab40)};

    private FacePictures() {}

    /** The photo with the boxes drawn, line width and text scaled to the photo's size. */
    public static BufferedImage draw(RgbImage photo, List<Box> boxes) {
        return draw(photo, boxes, 200);
    }

    /** As above, the lines {@code 1/strokeDivisor} of the photo's shorter side wide (at least 2 pixels). */
    public static BufferedImage draw(RgbImage photo, List<Box> boxes, int strokeDivisor) {
        BufferedImage img = toImage(photo);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        int side = Math.min(photo.width(), photo.height());
        float stroke = Math.max(2f, (float) side / strokeDivisor);
        boolean text = true;
        try {
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, Math.max(11, side / 30)));
        } catch (RuntimeException | Error e) {
            text = false;
        }
        for (int i = 0; i < boxes.size(); i++) {
            Face f = boxes.get(i).face();
            Color c = COLOURS[i % COLOURS.length];
            g.setColor(c);
            g.setStroke(new BasicStroke(stroke));
            int x = (int) Math.round(f.x0()), y = (int) Math.round(f.y0());
            g.drawRect(x, y, (int) Math.round(f.width()), (int) Math.round(f.height()));
            String caption = boxes.get(i).caption();
            if (text && caption != null) text = caption(g, caption, x, y, c);
        }
        g.dispose();
        return img;
    }

    /** Writes the drawing as PNG, atomically. */
    public static void write(Path png, RgbImage photo, List<Box> boxes) throws IOException {
        BufferedImage img = draw(photo, boxes);
        AtomicFiles.writeAt(png, tmp -> {
            if (!ImageIO.write(img, "png", tmp.toFile())) throw new IOException("no PNG writer");
        });
    }

    private static boolean caption(Graphics2D g, String s, int x, int y, Color c) {
        try {
            FontMetrics m = g.getFontMetrics();
            int h = m.getAscent() + m.getDescent() + 2, w = m.stringWidth(s) + 6;
            int top = y - h >= 0 ? y - h : y;
            g.setColor(c);
            g.fillRect(x, top, w, h);
            g.setColor(Color.BLACK);
            g.drawString(s, x + 3, top + m.getAscent() + 1);
            return true;
        } catch (RuntimeException | Error e) {   // no fonts installed: keep the boxes
            return false;
        }
    }

    static BufferedImage toImage(RgbImage p) {
        BufferedImage img = new BufferedImage(p.width(), p.height(), BufferedImage.TYPE_INT_RGB);
        byte[] rgb = p.rgb();
        int[] row = new int[p.width()];
        for (int y = 0; y < p.height(); y++) {
            for (int x = 0; x < p.width(); x++) {
                int i = 3 * (y * p.width() + x);
                row[x] = (rgb[i] & 0xFF) << 16 | (rgb[i + 1] & 0xFF) << 8 | (rgb[i + 2] & 0xFF);
            }
            img.setRGB(0, y, p.width(), 1, row, 0, p.width());
        }
        return img;
    }
}
