package pinkcnn.trainer.data;

import com.twelvemonkeys.imageio.metadata.Directory;
import com.twelvemonkeys.imageio.metadata.Entry;
import com.twelvemonkeys.imageio.metadata.jpeg.JPEG;
import com.twelvemonkeys.imageio.metadata.jpeg.JPEGSegment;
import com.twelvemonkeys.imageio.metadata.jpeg.JPEGSegmentUtil;
import com.twelvemonkeys.imageio.metadata.tiff.TIFF;
import com.twelvemonkeys.imageio.metadata.tiff.TIFFReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * The EXIF orientation tag of a JPEG (1..8: how the camera was held) and the pixel reordering that shows the photo
 * upright. Cameras store pixels as the sensor saw them and only record the rotation; viewers apply it, so must we.
 */
final class ExifOrientation {

    static final int NORMAL = 1;

    private ExifOrientation() {
    }

    /** The orientation recorded in the JPEG's EXIF segment, or {@link #NORMAL} when there is none or it is unreadable. */
    static int read(byte[] jpeg) {
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(jpeg))) {
            List<JPEGSegment> segments = JPEGSegmentUtil.readSegments(in, JPEG.APP1, "Exif");
            for (JPEGSegment segment : segments) {
                try (InputStream data = segment.data()) {
                    // After the "Exif" identifier come pad byte(s), then the TIFF header ("II*\0" or "MM\0*").
                    byte[] bytes = data.readAllBytes();
                    int tiffStart = tiffHeader(bytes);
                    if (tiffStart < 0) continue;
                    try (ImageInputStream tiff = new MemoryCacheImageInputStream(
                            new ByteArrayInputStream(bytes, tiffStart, bytes.length - tiffStart))) {
                        Directory ifd = new TIFFReader().read(tiff);
                        Entry entry = ifd.getEntryById(TIFF.TAG_ORIENTATION);
                        if (entry != null && entry.getValue() instanceof Number n && n.intValue() >= 1 && n.intValue() <= 8) {
                            return n.intValue();
                        }
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // A damaged EXIF block does not make the photo unusable: show it as stored.
        }
        return NORMAL;
    }

    private static int tiffHeader(byte[] b) {
        for (int i = 0; i + 3 < Math.min(b.length, 8); i++) {
            if ((b[i] == 'I' && b[i + 1] == 'I' && b[i + 2] == 42 && b[i + 3] == 0)
                    || (b[i] == 'M' && b[i + 1] == 'M' && b[i + 2] == 0 && b[i + 3] == 42)) {
                return i;
            }
        }
        return -1;
    }

    /** The photo as a viewer shows it for the given EXIF orientation. */
    static RgbImage apply(RgbImage src, int orientation) {
        if (orientation == NORMAL) return src;
        int w = src.width(), h = src.height();
        boolean swapsAxes = orientation >= 5;
        int outW = swapsAxes ? h : w, outH = swapsAxes ? w : h;
        byte[] in = src.rgb(), out = new byte[in.length];
        for (int y = 0; y < outH; y++) {
            for (int x = 0; x < outW; x++) {
                int sx, sy;
                switch (orientation) {
                    case 2 -> { sx = w - 1 - x; sy = y; }              // mirrored
                    case 3 -> { sx = w - 1 - x; sy = h - 1 - y; }      // upside down
                    case 4 -> { sx = x; sy = h - 1 - y; }              // mirrored upside down
                    case 5 -> { sx = y; sy = x; }                      // transposed
                    case 6 -> { sx = y; sy = h - 1 - x; }              // needs 90° clockwise
                    case 7 -> { sx = w - 1 - y; sy = h - 1 - x; }      // transversed
                    case 8 -> { sx = w - 1 - y; sy = x; }              // needs 90° counter-clockwise
                    default -> throw new IllegalArgumentException("EXIF orientation " + orientation);
                }
                int o = 3 * (y * outW + x), i = 3 * (sy * w + sx);
                out[o] = in[i];
                out[o + 1] = in[i + 1];
                out[o + 2] = in[i + 2];
            }
        }
        return new RgbImage(outW, outH, out);
    }
}
