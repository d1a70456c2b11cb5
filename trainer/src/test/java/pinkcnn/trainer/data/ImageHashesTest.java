package pinkcnn.trainer.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Image;
import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;

class ImageHashesTest {

    @Test
    void sha256MatchesTheStandardTestVector() {
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", ImageHashes.sha256("abc".getBytes()));
    }

    @Test
    void pixelHashSeesPixelsNotEncoding() throws Exception {
        BufferedImage img = TestImages.photo(50, 40, 1);
        RgbImage fromPng = ImageDecoder.decode(TestImages.encode(img, "png"));
        RgbImage fromBmp = ImageDecoder.decode(TestImages.encode(img, "bmp"));
        assertEquals(ImageHashes.pixelHash(fromPng), ImageHashes.pixelHash(fromBmp));
        assertNotEquals(ImageHashes.pixelHash(fromPng), ImageHashes.pixelHash(ImageDecoder.decode(TestImages.encode(TestImages.photo(50, 40, 2), "png"))));
    }

    @Test
    void reencodedAndResizedCopiesAreNearAndOtherPhotosFar() throws Exception {
        BufferedImage original = TestImages.photo(300, 240, 5);
        long h = ImageHashes.perceptualHash(ImageDecoder.toRgb(original));

        BufferedImage half = new BufferedImage(150, 120, BufferedImage.TYPE_3BYTE_BGR);
        half.getGraphics().drawImage(original.getScaledInstance(150, 120, Image.SCALE_SMOOTH), 0, 0, null);
        long copy = ImageHashes.perceptualHash(ImageDecoder.decode(TestImages.jpeg(half, 0.5f, false)));
        assertTrue(ImageHashes.distance(h, copy) <= Deduplicator.DEFAULT_NEAR_DISTANCE,
                "re-encoded half-size copy: distance " + ImageHashes.distance(h, copy));

        for (long seed = 6; seed < 16; seed++) {
            long other = ImageHashes.perceptualHash(ImageDecoder.toRgb(TestImages.photo(300, 240, seed)));
            assertTrue(ImageHashes.distance(h, other) > 3 * Deduplicator.DEFAULT_NEAR_DISTANCE,
                    "different photo " + seed + ": distance " + ImageHashes.distance(h, other));
        }
    }
}
