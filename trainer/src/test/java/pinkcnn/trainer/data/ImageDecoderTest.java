package pinkcnn.trainer.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageDecoderTest {

    @TempDir
    Path dir;

    @Test
    void pngDecodesToTheExactPixels() throws Exception {
        BufferedImage img = TestImages.photo(37, 23, 7);
        RgbImage rgb = ImageDecoder.decode(TestImages.encode(img, "png"));
        assertEquals(37, rgb.width());
        assertEquals(23, rgb.height());
        for (int y = 0; y < 23; y++) {
            for (int x = 0; x < 37; x++) {
                int argb = img.getRGB(x, y);
                assertEquals((argb >> 16) & 0xFF, rgb.at(x, y, 0));
                assertEquals((argb >> 8) & 0xFF, rgb.at(x, y, 1));
                assertEquals(argb & 0xFF, rgb.at(x, y, 2));
            }
        }
    }

    @Test
    void pngAlphaIsCompositedOnNeutralGrey() throws Exception {
        BufferedImage img = new BufferedImage(3, 1, BufferedImage.TYPE_INT_ARGB);
        img.setRGB(0, 0, 0x00FF0000);            // fully transparent red
        img.setRGB(1, 0, 0x80FF0000);            // half-transparent red
        img.setRGB(2, 0, 0xFF00FF00);            // opaque green
        RgbImage rgb = ImageDecoder.decode(TestImages.encode(img, "png"));
        int bg = ImageDecoder.NEUTRAL_BACKGROUND;
        assertPixel(rgb, 0, 0, bg, bg, bg);
        assertPixel(rgb, 1, 0, (255 * 128 + bg * 127 + 127) / 255, (bg * 127 + 127) / 255, (bg * 127 + 127) / 255);
        assertPixel(rgb, 2, 0, 0, 255, 0);
    }

    @Test
    void greyscaleJpegBecomesThreeEqualChannelsWithoutBrightening() throws Exception {
        BufferedImage grey = TestImages.solid(16, 16, new Color(100, 100, 100), BufferedImage.TYPE_BYTE_GRAY);
        RgbImage rgb = ImageDecoder.decode(TestImages.jpeg(grey, 0.95f, false));
        for (int c = 0; c < 3; c++) assertEquals(100, rgb.at(8, 8, c), 2);
    }

    @Test
    void cmykJpegIsConvertedToRgb() throws Exception {
        // Cyan ink on the left, yellow ink on the right.
        byte[] cmyk = TestImages.cmykJpeg(32, 16, new int[] {255, 0, 0, 0}, new int[] {0, 0, 255, 0});
        RgbImage rgb = ImageDecoder.decode(cmyk);
        assertEquals(32, rgb.width());
        assertTrue(rgb.at(4, 8, 0) < 80 && rgb.at(4, 8, 1) > 150 && rgb.at(4, 8, 2) > 150, "cyan: " + pixel(rgb, 4, 8));
        assertTrue(rgb.at(28, 8, 0) > 200 && rgb.at(28, 8, 1) > 200 && rgb.at(28, 8, 2) < 80, "yellow: " + pixel(rgb, 28, 8));
    }

    @Test
    void progressiveJpegDecodesLikeBaseline() throws Exception {
        BufferedImage img = TestImages.photo(64, 48, 3);
        RgbImage baseline = ImageDecoder.decode(TestImages.jpeg(img, 0.95f, false));
        RgbImage progressive = ImageDecoder.decode(TestImages.jpeg(img, 0.95f, true));
        assertEquals(baseline.width(), progressive.width());
        double diff = 0;
        for (int i = 0; i < baseline.rgb().length; i++) diff += Math.abs((baseline.rgb()[i] & 0xFF) - (progressive.rgb()[i] & 0xFF));
        assertTrue(diff / baseline.rgb().length < 3, "mean difference " + diff / baseline.rgb().length);
    }

    @Test
    void exifOrientationIsApplied() throws Exception {
        // Stored 40×20: red left half, blue right half.
        BufferedImage img = new BufferedImage(40, 20, BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < 20; y++) for (int x = 0; x < 40; x++) img.setRGB(x, y, x < 20 ? 0xFF0000 : 0x0000FF);
        byte[] jpeg = TestImages.jpeg(img, 0.95f, false);

        RgbImage rotatedCw = ImageDecoder.decode(TestImages.withExifOrientation(jpeg, 6));   // shown turned 90° clockwise
        assertEquals(20, rotatedCw.width());
        assertEquals(40, rotatedCw.height());
        assertRedish(rotatedCw, 10, 5);        // the left half is now on top
        assertBlueish(rotatedCw, 10, 35);

        RgbImage rotatedCcw = ImageDecoder.decode(TestImages.withExifOrientation(jpeg, 8));
        assertBlueish(rotatedCcw, 10, 5);      // the right half is now on top
        assertRedish(rotatedCcw, 10, 35);

        RgbImage upsideDown = ImageDecoder.decode(TestImages.withExifOrientation(jpeg, 3));
        assertEquals(40, upsideDown.width());
        assertBlueish(upsideDown, 5, 10);
        assertRedish(upsideDown, 35, 10);

        RgbImage normal = ImageDecoder.decode(TestImages.withExifOrientation(jpeg, 1));
        assertRedish(normal, 5, 10);
    }

    @Test
    void exifOrientationMapsEveryPixel() {
        RgbImage src = new RgbImage(3, 2, new byte[] {1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 5, 5, 5, 6, 6, 6});
        // 1 2 3      orientation 6 (rotate clockwise):  4 1
        // 4 5 6                                          5 2
        //                                                6 3
        RgbImage cw = ExifOrientation.apply(src, 6);
        assertEquals(2, cw.width());
        assertEquals(3, cw.height());
        assertEquals(Arrays.toString(new int[] {4, 1, 5, 2, 6, 3}), Arrays.toString(firstChannel(cw)));
        assertEquals(Arrays.toString(new int[] {3, 6, 2, 5, 1, 4}), Arrays.toString(firstChannel(ExifOrientation.apply(src, 8))));
        assertEquals(Arrays.toString(new int[] {3, 2, 1, 6, 5, 4}), Arrays.toString(firstChannel(ExifOrientation.apply(src, 2))));
        assertEquals(Arrays.toString(new int[] {6, 5, 4, 3, 2, 1}), Arrays.toString(firstChannel(ExifOrientation.apply(src, 3))));
        assertEquals(Arrays.toString(new int[] {4, 5, 6, 1, 2, 3}), Arrays.toString(firstChannel(ExifOrientation.apply(src, 4))));
        assertEquals(Arrays.toString(new int[] {1, 4, 2, 5, 3, 6}), Arrays.toString(firstChannel(ExifOrientation.apply(src, 5))));
        assertEquals(Arrays.toString(new int[] {6, 3, 5, 2, 4, 1}), Arrays.toString(firstChannel(ExifOrientation.apply(src, 7))));
    }

    @Test
    void gifDecodesItsFirstFrame() throws Exception {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("gif").next();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ImageOutputStream ios = ImageIO.createImageOutputStream(out)) {
            writer.setOutput(ios);
            writer.prepareWriteSequence(null);
            writer.writeToSequence(new IIOImage(TestImages.solid(8, 8, Color.RED, BufferedImage.TYPE_INT_RGB), null, null), null);
            writer.writeToSequence(new IIOImage(TestImages.solid(8, 8, Color.BLUE, BufferedImage.TYPE_INT_RGB), null, null), null);
            writer.endWriteSequence();
        }
        RgbImage rgb = ImageDecoder.decode(out.toByteArray());
        assertPixel(rgb, 4, 4, 255, 0, 0);
    }

    @Test
    void bmpDecodes() throws Exception {
        RgbImage rgb = ImageDecoder.decode(TestImages.encode(TestImages.solid(5, 4, new Color(10, 200, 30), BufferedImage.TYPE_3BYTE_BGR), "bmp"));
        assertEquals(5, rgb.width());
        assertPixel(rgb, 2, 2, 10, 200, 30);
    }

    @Test
    void webpLossyAndLosslessDecode() throws Exception {
        // The 1×1 WebP images browsers' feature tests use (lossy VP8 and lossless VP8L).
        for (String b64 : new String[] {"UklGRiIAAABXRUJQVlA4IBYAAAAwAQCdASoBAAEADsD+JaQAA3AAAAAA",
                "UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA=="}) {
            RgbImage rgb = ImageDecoder.decode(Base64.getDecoder().decode(b64));
            assertEquals(1, rgb.width());
            assertEquals(1, rgb.height());
        }
    }

    @Test
    void hugePhotosAreDecodedSubsampled() {
        assertEquals(1, ImageDecoder.subsamplingStep(5000, 5000));
        assertEquals(2, ImageDecoder.subsamplingStep(10_000, 10_000));
        assertEquals(3, ImageDecoder.subsamplingStep(12_000, 12_000));
        long decodedPixels = (long) Math.ceil(12_000 / 3.0) * (long) Math.ceil(12_000 / 3.0);
        assertTrue(decodedPixels <= ImageDecoder.MAX_DECODED_PIXELS);
    }

    @Test
    void unusableFilesGiveReasons() throws Exception {
        assertReason("empty file", () -> ImageDecoder.decode(TestImages.write(dir.resolve("empty.jpg"), new byte[0])));
        assertReason("not an image: a text file",
                () -> ImageDecoder.decode(TestImages.write(dir.resolve("notes.jpg"), "just some text\n".getBytes())));
        assertReason("not an image: no decoder",
                () -> ImageDecoder.decode(new byte[] {0, 1, 2, 3, (byte) 0xFE, (byte) 0x80, 9, 9, 9, 9}));
        byte[] jpeg = TestImages.jpeg(TestImages.photo(200, 150, 1), 0.9f, false);
        for (int cut : new int[] {jpeg.length / 2, jpeg.length - 40, 400}) {
            assertReason("damaged or truncated JPEG", () -> ImageDecoder.decode(Arrays.copyOf(jpeg, cut)));
        }
        byte[] png = TestImages.encode(TestImages.photo(200, 150, 1), "png");
        assertReason("damaged or truncated PNG", () -> ImageDecoder.decode(Arrays.copyOf(png, png.length / 2)));
        Path link = dir.resolve("broken.jpg");
        Files.createSymbolicLink(link, dir.resolve("missing.jpg"));
        assertReason("cannot read: broken link", () -> ImageDecoder.decode(link));
        assertReason("cannot read: no such file", () -> ImageDecoder.decode(dir.resolve("absent.png")));
        Path folder = Files.createDirectory(dir.resolve("folder.jpg"));
        assertReason("not a regular file", () -> ImageDecoder.decode(folder));
    }

    private interface Decoding {
        void run() throws Exception;
    }

    private static void assertReason(String expectedStart, Decoding decoding) {
        UnusableImageException e = assertThrows(UnusableImageException.class, decoding::run);
        assertTrue(e.reason().startsWith(expectedStart), "reason '" + e.reason() + "' should start with '" + expectedStart + "'");
    }

    private static void assertPixel(RgbImage img, int x, int y, int r, int g, int b) {
        assertEquals(r + "," + g + "," + b, pixel(img, x, y), "pixel " + x + "," + y);
    }

    private static String pixel(RgbImage img, int x, int y) {
        return img.at(x, y, 0) + "," + img.at(x, y, 1) + "," + img.at(x, y, 2);
    }

    private static void assertRedish(RgbImage img, int x, int y) {
        assertTrue(img.at(x, y, 0) > 200 && img.at(x, y, 2) < 60, "red expected at " + x + "," + y + ": " + pixel(img, x, y));
    }

    private static void assertBlueish(RgbImage img, int x, int y) {
        assertTrue(img.at(x, y, 2) > 200 && img.at(x, y, 0) < 60, "blue expected at " + x + "," + y + ": " + pixel(img, x, y));
    }

    private static int[] firstChannel(RgbImage img) {
        int[] out = new int[img.width() * img.height()];
        for (int i = 0; i < out.length; i++) out[i] = img.rgb()[3 * i];
        return out;
    }
}
