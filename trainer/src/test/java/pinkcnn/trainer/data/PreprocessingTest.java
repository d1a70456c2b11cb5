package pinkcnn.trainer.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class PreprocessingTest {

    /** Three vertical bands, red | green | blue, of a 90×30 image. */
    private static RgbImage bands() {
        int w = 90, h = 30;
        byte[] px = new byte[3 * w * h];
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) px[3 * (y * w + x) + x / 30] = (byte) 255;
        return new RgbImage(w, h, px);
    }

    @Test
    void centerCropKeepsTheMiddleSquare() {
        byte[] out = new Preprocessing(10, Preprocessing.Crop.CENTER, 1.0).apply(bands());
        for (int i = 0; i < out.length; i += 3) {         // the middle 30×30 is all green
            assertEquals(0, out[i] & 0xFF);
            assertEquals(255, out[i + 1] & 0xFF);
        }
    }

    @Test
    void noCropSqueezesTheWholePhoto() {
        byte[] out = new Preprocessing(9, Preprocessing.Crop.NONE, 1.0).apply(bands());
        assertEquals(255, out[0] & 0xFF);                  // left column red
        assertEquals(255, out[3 * 4 + 1] & 0xFF);          // middle green
        assertEquals(255, out[3 * 8 + 2] & 0xFF);          // right column blue
    }

    @Test
    void cropFractionKeepsTheCentralPartFirst() {
        // A white 20×20 square in the middle of a black 100×100 image: keeping the central 0.2 shows only white.
        int n = 100;
        byte[] px = new byte[3 * n * n];
        for (int y = 40; y < 60; y++) for (int x = 40; x < 60; x++) for (int c = 0; c < 3; c++) px[3 * (y * n + x) + c] = (byte) 255;
        RgbImage img = new RgbImage(n, n, px);
        byte[] tight = new Preprocessing(8, Preprocessing.Crop.CENTER, 0.2).apply(img);
        for (byte b : tight) assertEquals(255, b & 0xFF);
        byte[] whole = new Preprocessing(10, Preprocessing.Crop.CENTER, 1.0).apply(img);
        assertEquals(0, whole[0] & 0xFF);
    }

    @Test
    void invalidSettingsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new Preprocessing(224, Preprocessing.Crop.CENTER, 0));
        assertThrows(IllegalArgumentException.class, () -> new Preprocessing(224, Preprocessing.Crop.CENTER, 1.5));
        assertThrows(IllegalArgumentException.class, () -> new Preprocessing(0, Preprocessing.Crop.CENTER, 0.5));
        assertThrows(IllegalArgumentException.class, () -> Preprocessing.Crop.parse("square"));
    }
}
