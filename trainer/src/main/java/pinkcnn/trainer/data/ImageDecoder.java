package pinkcnn.trainer.data;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.LongAdder;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Decodes any photo ImageIO has a plugin for into 8-bit RGB: JPEG (baseline, progressive, CMYK/YCCK through the
 * TwelveMonkeys plugin, with the EXIF orientation applied), PNG (alpha composited on neutral grey), GIF (first frame),
 * BMP and WebP. Grey photos become RGB with three equal channels.
 *
 * <p>Every way a file can fail becomes an {@link UnusableImageException} whose message says why, so a caller can list
 * the file and carry on. The pixel count is read from the file's header first: images over the pixel limit
 * ({@link #DEFAULT_MAX_PIXELS} unless the caller gives another) are refused without decoding, since a small file can
 * declare a huge canvas (a 1 MB PNG of 20000×20000 pixels takes half a minute and gigabytes to decode). Photos larger
 * than {@link #MAX_DECODED_PIXELS} but within the limit are decoded with subsampling (every k-th pixel), which keeps
 * memory bounded and is harmless for images that end up at a few hundred pixels.
 */
public final class ImageDecoder {

    /** Files larger than this are refused before reading (no photo of a sane camera is this large). */
    public static final long MAX_FILE_BYTES = 256L << 20;
    /**
     * Images with more pixels (by their header) are refused unless the caller allows more ({@code --max-pixels}):
     * 40 megapixels is more than almost any camera takes, and decoding that many costs seconds and 120 MB or more.
     */
    public static final long DEFAULT_MAX_PIXELS = 40_000_000L;
    /** Photos with more pixels are decoded subsampled to at most this many pixels. */
    public static final long MAX_DECODED_PIXELS = 25_000_000L;
    /** The grey that transparent pixels are composited on. */
    public static final int NEUTRAL_BACKGROUND = 128;

    /** Pixel decodes started (past the header), in this JVM: tests check that prepare decodes each photo once. */
    private static final LongAdder DECODES = new LongAdder();

    private ImageDecoder() {
    }

    static long decodes() {
        return DECODES.sum();
    }

    /** Reads and decodes one file, refusing images over {@link #DEFAULT_MAX_PIXELS}. */
    public static RgbImage decode(Path file) throws UnusableImageException {
        return decode(readBytes(file), DEFAULT_MAX_PIXELS);
    }

    /** Reads and decodes one file, refusing images over {@code maxPixels}. */
    public static RgbImage decode(Path file, long maxPixels) throws UnusableImageException {
        return decode(readBytes(file), maxPixels);
    }

    /** Reads a whole file, turning every failure (missing, unreadable, empty, huge) into a reason. */
    public static byte[] readBytes(Path file) throws UnusableImageException {
        try {
            if (Files.isSymbolicLink(file) && !Files.exists(file)) {
                throw new UnusableImageException("cannot read: broken link");
            }
            if (!Files.isRegularFile(file)) {
                throw new UnusableImageException(Files.exists(file) ? "not a regular file" : "cannot read: no such file");
            }
            long size = Files.size(file);
            if (size == 0) throw new UnusableImageException("empty file (0 bytes)");
            if (size > MAX_FILE_BYTES) {
                throw new UnusableImageException("file too large (" + (size >> 20) + " MiB, limit " + (MAX_FILE_BYTES >> 20) + " MiB)");
            }
            try {
                return Files.readAllBytes(file);
            } catch (OutOfMemoryError e) {
                throw new UnusableImageException(String.format(Locale.ROOT, "out of memory reading this %d MiB file (the "
                        + "Java heap is limited to %d MiB)", size >> 20, Runtime.getRuntime().maxMemory() >> 20));
            }
        } catch (AccessDeniedException e) {
            throw new UnusableImageException("cannot read: permission denied");
        } catch (NoSuchFileException e) {
            throw new UnusableImageException("cannot read: no such file");
        } catch (IOException e) {
            throw new UnusableImageException("cannot read: " + e.getMessage());
        }
    }

    /** Decodes the bytes of an image file of any supported format, refusing images over {@link #DEFAULT_MAX_PIXELS}. */
    public static RgbImage decode(byte[] bytes) throws UnusableImageException {
        return decode(bytes, DEFAULT_MAX_PIXELS);
    }

    /** Decodes the bytes of an image file of any supported format, refusing images over {@code maxPixels}. */
    public static RgbImage decode(byte[] bytes, long maxPixels) throws UnusableImageException {
        if (bytes.length == 0) throw new UnusableImageException("empty file (0 bytes)");
        List<ImageReader> readers = readersFor(bytes);
        if (readers.isEmpty()) {
            throw new UnusableImageException(looksLikeText(bytes)
                    ? "not an image: a text file" : "not an image: no decoder recognises the content");
        }
        UnusableImageException first = null;
        for (int i = 0; i < readers.size(); i++) {   // e.g. TwelveMonkeys JPEG first, the JDK's as a second opinion
            try {
                return decodeWith(readers.get(i), bytes, maxPixels);
            } catch (UnusableImageException e) {
                if (first == null) first = e;
            } catch (Definitive e) {
                // Too many pixels or too little memory: another reader would decode the same pixels again, in vain.
                for (ImageReader unused : readers.subList(i + 1, readers.size())) unused.dispose();
                throw e.reason;
            } finally {
                readers.get(i).dispose();
            }
        }
        throw first;
    }

    /** A failure that does not depend on the reader (the image's size), so no second reader is tried. */
    private static final class Definitive extends Exception {
        final UnusableImageException reason;

        Definitive(String reason) {
            super(reason, null, false, false);
            this.reason = new UnusableImageException(reason);
        }
    }

    private static List<ImageReader> readersFor(byte[] bytes) throws UnusableImageException {
        List<ImageReader> readers = new ArrayList<>();
        try (ImageInputStream probe = stream(bytes)) {
            for (Iterator<ImageReader> it = ImageIO.getImageReaders(probe); it.hasNext(); ) readers.add(it.next());
        } catch (IOException e) {
            throw new UnusableImageException("cannot read: " + e.getMessage());
        } catch (RuntimeException e) {   // a plugin's format sniffing choking on the bytes
            throw new UnusableImageException("not an image: " + oneLine(e));
        }
        return readers;
    }

    private static RgbImage decodeWith(ImageReader reader, byte[] bytes, long maxPixels)
            throws UnusableImageException, Definitive {
        String format = formatName(reader);
        int width = 0, height = 0;
        try (ImageInputStream in = stream(bytes)) {
            reader.setInput(in, false, false);
            List<String> damage = new ArrayList<>();
            reader.addIIOReadWarningListener((source, warning) -> {
                if (isDamage(warning)) damage.add(warning);
            });
            width = reader.getWidth(0);      // from the header: nothing is decoded yet
            height = reader.getHeight(0);
            if (width <= 0 || height <= 0) {
                throw new UnusableImageException("damaged " + format + ": its header says " + width + "×" + height + " pixels");
            }
            if ((long) width * height > maxPixels) throw new Definitive(tooManyPixels(width, height, format, maxPixels));
            DECODES.increment();
            ImageReadParam param = reader.getDefaultReadParam();
            int step = subsamplingStep(width, height);
            if (step > 1) param.setSourceSubsampling(step, step, 0, 0);
            BufferedImage image = reader.read(0, param);
            if (!damage.isEmpty()) {
                throw new UnusableImageException("damaged or truncated " + format + ": " + damage.get(0));
            }
            RgbImage rgb = toRgb(image);
            return format.equals("JPEG") ? ExifOrientation.apply(rgb, ExifOrientation.read(bytes)) : rgb;
        } catch (OutOfMemoryError e) {
            throw new Definitive(outOfMemory(width, height, format));
        } catch (IOException | RuntimeException e) {
            // Some readers (the JDK's PNG reader) wrap whatever they catch, out-of-memory included, in an IIOException.
            if (causedByOutOfMemory(e)) throw new Definitive(outOfMemory(width, height, format));
            if (e instanceof IOException) throw new UnusableImageException("damaged or truncated " + format + ": " + oneLine(e));
            throw new UnusableImageException("cannot decode " + format + ": " + oneLine(e));
        }
    }

    static String tooManyPixels(int width, int height, String format, long maxPixels) {
        return "too many pixels (" + width + "×" + height + " " + format + ", " + pixels((long) width * height)
                + "; the limit is " + pixels(maxPixels) + ", see --max-pixels)";
    }

    private static String outOfMemory(int width, int height, String format) {
        return outOfMemory("decoding", width, height, format);
    }

    /**
     * "out of memory decoding this 5000×5000 PNG (about 143 MiB of pixels; the Java heap is limited to 48 MiB)": what
     * the user can act on (a larger heap), not the "damaged PNG" a reader's wrapped OutOfMemoryError would suggest.
     */
    public static String outOfMemory(String doing, int width, int height, String format) {
        if (width <= 0 || height <= 0) {
            return String.format(Locale.ROOT, "out of memory %s this %s (the Java heap is limited to %d MiB)", doing,
                    format, Runtime.getRuntime().maxMemory() >> 20);
        }
        int step = subsamplingStep(width, height);
        long decoded = (long) ((width + step - 1) / step) * ((height + step - 1) / step);
        return String.format(Locale.ROOT, "out of memory %s this %d×%d %s (about %d MiB of pixels; the Java heap "
                + "is limited to %d MiB)", doing, width, height, format, 6 * decoded >> 20, Runtime.getRuntime().maxMemory() >> 20);
    }

    /** "400 megapixels", "40.5 megapixels", "3072 pixels". */
    private static String pixels(long n) {
        if (n < 1_000_000) return n + " pixels";
        double mp = n / 1e6;
        return (mp == Math.rint(mp) ? Long.toString((long) mp) : String.format(Locale.ROOT, "%.1f", mp)) + " megapixels";
    }

    private static boolean causedByOutOfMemory(Throwable e) {
        Throwable t = e;
        for (int depth = 0; t != null && depth < 16; depth++, t = t.getCause()) {
            if (t instanceof OutOfMemoryError) return true;
        }
        return false;
    }

    /** Every k-th pixel in both directions, so that at most {@link #MAX_DECODED_PIXELS} are decoded. */
    static int subsamplingStep(int width, int height) {
        double pixels = (double) width * height;
        return pixels <= MAX_DECODED_PIXELS ? 1 : (int) Math.ceil(Math.sqrt(pixels / MAX_DECODED_PIXELS));
    }

    /** Decoder warnings that mean pixels are missing or garbage (libjpeg fills a truncated scan with grey). */
    private static boolean isDamage(String warning) {
        String w = warning.toLowerCase(Locale.ROOT);
        return w.contains("premature end") || (w.contains("corrupt") && !w.contains("extraneous bytes"));
    }

    /** Converts any decoded image to 8-bit RGB, compositing transparency on {@link #NEUTRAL_BACKGROUND}. */
    static RgbImage toRgb(BufferedImage image) {
        int w = image.getWidth(), h = image.getHeight();
        byte[] rgb = new byte[3 * w * h];
        ColorModel cm = image.getColorModel();
        Raster raster = image.getRaster();
        boolean alpha = cm.hasAlpha();
        if (cm.getColorSpace().getType() == ColorSpace.TYPE_GRAY && !(cm instanceof IndexColorModel)) {
            // Read grey samples directly: BufferedImage.getRGB treats grey as linear and brightens it.
            int bits = cm.getComponentSize(0);
            int[] row = new int[w * raster.getNumBands()];
            int bands = raster.getNumBands();
            for (int y = 0; y < h; y++) {
                raster.getPixels(0, y, w, 1, row);
                for (int x = 0; x < w; x++) {
                    int g = scaleTo8Bits(row[x * bands], bits);
                    if (alpha && bands > 1) g = composite(g, scaleTo8Bits(row[x * bands + 1], cm.getComponentSize(1)));
                    int o = 3 * (y * w + x);
                    rgb[o] = rgb[o + 1] = rgb[o + 2] = (byte) g;
                }
            }
        } else if (cm instanceof ComponentColorModel && cm.getColorSpace().isCS_sRGB() && cm.getComponentSize(0) == 8
                && !cm.isAlphaPremultiplied() && raster.getNumBands() >= 3) {
            // The common case (JPEG, PNG): 8-bit sRGB samples in band order R, G, B (, A).
            int bands = raster.getNumBands();
            int[] row = new int[w * bands];
            for (int y = 0; y < h; y++) {
                raster.getPixels(0, y, w, 1, row);
                for (int x = 0, o = 3 * y * w; x < w; x++, o += 3) {
                    int i = x * bands;
                    int a = alpha ? row[i + 3] : 255;
                    rgb[o] = (byte) composite(row[i], a);
                    rgb[o + 1] = (byte) composite(row[i + 1], a);
                    rgb[o + 2] = (byte) composite(row[i + 2], a);
                }
            }
        } else {
            // Everything else (palettes, packed ints, 16-bit, other colour spaces): let Java2D convert to sRGB.
            int[] row = new int[w];
            for (int y = 0; y < h; y++) {
                image.getRGB(0, y, w, 1, row, 0, w);
                for (int x = 0, o = 3 * y * w; x < w; x++, o += 3) {
                    int argb = row[x];
                    int a = alpha ? argb >>> 24 : 255;
                    rgb[o] = (byte) composite((argb >> 16) & 0xFF, a);
                    rgb[o + 1] = (byte) composite((argb >> 8) & 0xFF, a);
                    rgb[o + 2] = (byte) composite(argb & 0xFF, a);
                }
            }
        }
        return new RgbImage(w, h, rgb);
    }

    /** {@code value} over the neutral background with opacity {@code alpha} (both 0..255), rounded. */
    private static int composite(int value, int alpha) {
        if (alpha == 255) return value;
        return (value * alpha + NEUTRAL_BACKGROUND * (255 - alpha) + 127) / 255;
    }

    private static int scaleTo8Bits(int sample, int bits) {
        if (bits == 8) return sample;
        if (bits > 8) return sample >> (bits - 8);
        return sample * 255 / ((1 << bits) - 1);
    }

    private static ImageInputStream stream(byte[] bytes) {
        return new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes));
    }

    private static String formatName(ImageReader reader) {
        try {
            return reader.getFormatName().toUpperCase(Locale.ROOT).replace("JPG", "JPEG");
        } catch (IOException e) {
            return "image";
        }
    }

    private static boolean looksLikeText(byte[] bytes) {
        int n = Math.min(bytes.length, 512), printable = 0;
        for (int i = 0; i < n; i++) {
            int b = bytes[i] & 0xFF;
            if (b == '\n' || b == '\r' || b == '\t' || (b >= 0x20 && b < 0x7F) || b >= 0x80) printable++;
        }
        return printable == n;
    }

    private static String oneLine(Throwable e) {
        String m = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
        return m.replaceAll("\\s+", " ").trim();
    }
}
