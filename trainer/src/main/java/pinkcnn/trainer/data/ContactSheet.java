package pinkcnn.trainer.data;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.IntFunction;
import javax.imageio.ImageIO;
import pinkcnn.engine.io.AtomicFiles;

/**
 * A PNG grid of sample images: one row per class, headed by its label and name, each tile captioned with its index in
 * the file. Text needs a font; on a machine without any the sheet is drawn without captions.
 */
final class ContactSheet {

    private static final int HEADER_W = 170, CAPTION_H = 16, GAP = 4;

    private ContactSheet() {
    }

    /**
     * @param rows    per class, the image indices to show
     * @param tile    tile side in pixels (images are resampled to it)
     */
    static void write(Path png, DatasetReader data, List<int[]> rows, int tile) throws IOException {
        write(png, data, rows, tile, null);
    }

    /** A sample's source: the photo (already drawn with its face box) and a caption; null where unknown. */
    record Source(java.awt.image.BufferedImage picture, String caption) {}

    /**
     * As above; with {@code sources}, each sample is followed by its source photo, fitted into a tile, with the face
     * box it was cropped around.
     */
    static void write(Path png, DatasetReader data, List<int[]> rows, int tile, IntFunction<Source> sources) throws IOException {
        int perSample = sources == null ? 1 : 2;
        int columns = perSample * rows.stream().mapToInt(r -> r.length).max().orElse(0);
        int width = HEADER_W + columns * (tile + GAP) + GAP;
        int height = rows.size() * (tile + CAPTION_H + GAP) + GAP;
        BufferedImage sheet = new BufferedImage(Math.max(width, 1), Math.max(height, 1), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = sheet.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, sheet.getWidth(), sheet.getHeight());
        boolean text = true;
        try {
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        } catch (RuntimeException | Error e) {
            text = false;
        }
        for (int label = 0; label < rows.size(); label++) {
            int top = GAP + label * (tile + CAPTION_H + GAP);
            if (text) text = drawText(g, "label " + label, 6, top + 16) && drawText(g, data.classes().get(label), 6, top + 32);
            int[] indices = rows.get(label);
            for (int c = 0; c < indices.length; c++) {
                int left = HEADER_W + GAP + perSample * c * (tile + GAP);
                if (sources != null) {
                    Source src = sources.apply(indices[c]);
                    if (src != null) {
                        int sw = src.picture().getWidth(), sh = src.picture().getHeight();
                        double f = (double) tile / Math.max(sw, sh);
                        int dw = Math.max(1, (int) Math.round(sw * f)), dh = Math.max(1, (int) Math.round(sh * f));
                        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
                        g.drawImage(src.picture(), left + tile + GAP + (tile - dw) / 2, top + (tile - dh) / 2, dw, dh, null);
                        if (text) text = drawText(g, src.caption(), left + tile + GAP, top + tile + 12);
                    }
                }
                RgbImage img = new RgbImage(data.width(), data.height(), toRgb(data.image(indices[c]), data.channels()));
                byte[] small = tile == data.width() && tile == data.height() ? img.rgb() : Resizer.resize(img, tile, tile);
                for (int y = 0; y < tile; y++) {
                    for (int x = 0; x < tile; x++) {
                        int i = 3 * (y * tile + x);
                        sheet.setRGB(left + x, top + y, (small[i] & 0xFF) << 16 | (small[i + 1] & 0xFF) << 8 | (small[i + 2] & 0xFF));
                    }
                }
                if (text) text = drawText(g, "#" + indices[c] + "  " + data.label(indices[c]), left, top + tile + 12);
            }
        }
        g.dispose();
        // Through a stream: ImageIO given a file it cannot create prints a stack trace of its own.
        AtomicFiles.write(png, out -> {
            if (!ImageIO.write(sheet, "png", out)) throw new IOException("no PNG writer");
        });
    }

    private static boolean drawText(Graphics2D g, String s, int x, int y) {
        try {
            g.setColor(Color.BLACK);
            g.drawString(s, x, y);
            return true;
        } catch (RuntimeException | Error e) {   // no fonts installed: keep the pictures
            return false;
        }
    }

    private static byte[] toRgb(byte[] pixels, int channels) {
        if (channels == 3) return pixels;
        int n = pixels.length / channels;
        byte[] rgb = new byte[3 * n];
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < 3; c++) rgb[3 * i + c] = pixels[i * channels + Math.min(c, channels - 1)];
        }
        return rgb;
    }
}
