package pinkcnn.trainer.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class AugmentationTest {

    private static final int S = 48;
    private final byte[] image = new Preprocessing(S, Preprocessing.Crop.CENTER, 1).apply(ImageDecoder.toRgb(TestImages.photo(80, 80, 11)));

    @Test
    void theSameSeedGivesTheSameVariantAndOtherSeedsOthers() {
        Augmentation a = Augmentation.DEFAULT;
        assertArrayEquals(a.apply(image, S, 5), a.apply(image, S, 5));
        assertFalse(Arrays.equals(a.apply(image, S, 5), a.apply(image, S, 6)));
    }

    @Test
    void variantsChangeThePixels() {
        for (long seed = 0; seed < 20; seed++) {
            byte[] v = Augmentation.DEFAULT.apply(image, S, seed);
            assertEquals(image.length, v.length);
            assertFalse(Arrays.equals(image, v), "seed " + seed);
        }
    }

    @Test
    void drawsStayWithinTheRanges() {
        Augmentation a = Augmentation.DEFAULT;
        boolean flipped = false, unflipped = false;
        for (long seed = 0; seed < 500; seed++) {
            Augmentation.Params p = a.draw(seed);
            assertTrue(Math.abs(Math.toDegrees(p.angleRadians())) <= 20);
            assertTrue(Math.abs(p.shiftX()) <= 0.1 && Math.abs(p.shiftY()) <= 0.1);
            assertTrue(p.scale() >= 0.9 && p.scale() <= 1.1);
            assertTrue(p.gain() >= 0.8 && p.gain() <= 1.2);
            flipped |= p.flipped();
            unflipped |= !p.flipped();
        }
        assertTrue(flipped && unflipped);
        assertFalse(new Augmentation(20, 0.1, 0.1, false, 0.2).draw(3).flipped());
    }

    @Test
    void theIdentityTransformKeepsTheImage() {
        assertArrayEquals(image, Augmentation.apply(image, S, new Augmentation.Params(0, 0, 0, 1, false, 1)));
    }

    @Test
    void aFlipMirrorsExactly() {
        byte[] flipped = Augmentation.apply(image, S, new Augmentation.Params(0, 0, 0, 1, true, 1));
        for (int y = 0; y < S; y++) {
            for (int x = 0; x < S; x++) {
                for (int c = 0; c < 3; c++) assertEquals(image[3 * (y * S + x) + c], flipped[3 * (y * S + (S - 1 - x)) + c]);
            }
        }
    }

    @Test
    void aQuarterTurnRotatesExactly() {
        // Rotation by +90° about the centre: output (x, y) reads source (y, S-1-x) in pixel indices.
        byte[] turned = Augmentation.apply(image, S, new Augmentation.Params(Math.PI / 2, 0, 0, 1, false, 1));
        for (int y = 0; y < S; y++) {
            for (int x = 0; x < S; x++) {
                int sx = y, sy = S - 1 - x;
                assertEquals(image[3 * (sy * S + sx)], turned[3 * (y * S + x)], 1, "pixel " + x + "," + y);
            }
        }
    }

    @Test
    void brightnessScalesValues() {
        byte[] brighter = Augmentation.apply(image, S, new Augmentation.Params(0, 0, 0, 1, false, 1.2));
        for (int i = 0; i < image.length; i++) {
            assertEquals(Math.min(255, Math.round((image[i] & 0xFF) * 1.2f)), brighter[i] & 0xFF, 1);
        }
    }

    @Test
    void aShiftMovesContent() {
        // Shift right by 0.25·S = 12 px: output x reads source x − 12 (border pixels repeat on the left).
        byte[] shifted = Augmentation.apply(image, S, new Augmentation.Params(0, 0.25, 0, 1, false, 1));
        for (int y = 0; y < S; y++) {
            for (int x = 12; x < S; x++) {
                assertEquals(image[3 * (y * S + x - 12) + 1], shifted[3 * (y * S + x) + 1]);
            }
        }
    }
}
