package pinkcnn.trainer.face;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import pinkcnn.trainer.data.RgbImage;
import pinkcnn.trainer.data.TestImages;

/** Pictures written as the files users have: JPEG, grey PNG, PNG with alpha, JPEG stored rotated with EXIF orientation. */
public final class FacePhotos {
    private FacePhotos() {}

    public static BufferedImage buffered(RgbImage p, int type) {
        BufferedImage img = new BufferedImage(p.width(), p.height(), type);
        for (int y = 0; y < p.height(); y++) {
            for (int x = 0; x < p.width(); x++) {
                int i = 3 * (y * p.width() + x);
                img.setRGB(x, y, 0xFF000000 | (p.rgb()[i] & 0xFF) << 16 | (p.rgb()[i + 1] & 0xFF) << 8 | (p.rgb()[i + 2] & 0xFF));
            }
        }
        return img;
    }

    public static Path jpeg(Path file, RgbImage p) throws IOException {
        return write(file, TestImages.jpeg(buffered(p, BufferedImage.TYPE_INT_RGB), 0.95f, false));
    }

    /** 8-bit grey PNG (ImageIO converts the colours to luminance). */
    public static Path greyPng(Path file, RgbImage p) throws IOException {
        BufferedImage grey = new BufferedImage(p.width(), p.height(), BufferedImage.TYPE_BYTE_GRAY);
        grey.getGraphics().drawImage(buffered(p, BufferedImage.TYPE_INT_RGB), 0, 0, null);
        return write(file, TestImages.encode(grey, "png"));
    }

    /** RGBA PNG, fully transparent in a band along the top (decoders composite it on grey). */
    public static Path alphaPng(Path file, RgbImage p, int transparentRows) throws IOException {
        BufferedImage img = buffered(p, BufferedImage.TYPE_INT_ARGB);
        for (int y = 0; y < Math.min(transparentRows, p.height()); y++) {
            for (int x = 0; x < p.width(); x++) img.setRGB(x, y, img.getRGB(x, y) & 0x00FFFFFF);
        }
        return write(file, TestImages.encode(img, "png"));
    }

    /** A JPEG stored turned 90° counter-clockwise, with EXIF orientation 6 (display turned 90° clockwise). */
    public static Path rotatedJpeg(Path file, RgbImage p) throws IOException {
        int w = p.width(), h = p.height();
        byte[] stored = new byte[3 * w * h];
        for (int y = 0; y < w; y++) {          // stored picture: h wide, w high
            for (int x = 0; x < h; x++) {
                int sx = w - 1 - y, sy = x;    // stored (x, y) shows displayed (w−1−y, x)
                System.arraycopy(p.rgb(), 3 * (sy * w + sx), stored, 3 * (y * h + x), 3);
            }
        }
        byte[] jpeg = TestImages.jpeg(buffered(new RgbImage(h, w, stored), BufferedImage.TYPE_INT_RGB), 0.95f, false);
        return write(file, TestImages.withExifOrientation(jpeg, 6));
    }

    private static Path write(Path file, byte[] bytes) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        return Files.write(file, bytes);
    }

    /** Whether (x, y) lies on the face of a pasted LFW tile: its central 45 % (LFW photos are centred on the face). */
    public static boolean onFace(FaceScenes.Placement p, double x, double y) {
        double lo = 0.275 * p.side(), hi = 0.725 * p.side();
        return x >= p.x() + lo && x <= p.x() + hi && y >= p.y() + lo && y <= p.y() + hi;
    }
}
