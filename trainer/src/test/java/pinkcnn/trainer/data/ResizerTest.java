package pinkcnn.trainer.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ResizerTest {

    @Test
    void aConstantImageStaysConstantAtAnySize() {
        RgbImage src = filled(37, 53, 10, 120, 250);
        for (int side : new int[] {1, 7, 32, 100}) {
            byte[] out = Resizer.resize(src, side, side);
            for (int i = 0; i < out.length; i += 3) {
                assertEquals(10, out[i] & 0xFF);
                assertEquals(120, out[i + 1] & 0xFF);
                assertEquals(250, out[i + 2] & 0xFF);
            }
        }
    }

    @Test
    void shrinkingAveragesInsteadOfAliasing() {
        // A one-pixel checkerboard shrunk 8× must become flat grey; nearest-neighbour would give pure black or white.
        int n = 256;
        byte[] px = new byte[3 * n * n];
        for (int y = 0; y < n; y++) {
            for (int x = 0; x < n; x++) {
                byte v = (byte) (((x + y) & 1) == 0 ? 0 : 255);
                px[3 * (y * n + x)] = px[3 * (y * n + x) + 1] = px[3 * (y * n + x) + 2] = v;
            }
        }
        byte[] out = Resizer.resize(new RgbImage(n, n, px), 32, 32);
        for (byte b : out) assertEquals(127.5, b & 0xFF, 6.0);
    }

    @Test
    void enlargingInterpolatesBetweenPixels() {
        // Two pixels, black and white, stretched to 4: a monotonic ramp that keeps the end values near the ends.
        RgbImage src = new RgbImage(2, 1, new byte[] {0, 0, 0, (byte) 255, (byte) 255, (byte) 255});
        byte[] out = Resizer.resize(src, 4, 1);
        int[] r = {out[0] & 0xFF, out[3] & 0xFF, out[6] & 0xFF, out[9] & 0xFF};
        assertArrayEquals(new int[] {0, 64, 191, 255}, r);
    }

    @Test
    void aSourceRectangleSelectsThatPartOnly() {
        // Left half red, right half blue: resampling the right half gives pure blue.
        int w = 40, h = 20;
        byte[] px = new byte[3 * w * h];
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) px[3 * (y * w + x) + (x < w / 2 ? 0 : 2)] = (byte) 255;
        byte[] out = Resizer.resize(new RgbImage(w, h, px), 20, 0, 20, 20, 8, 8);
        for (int i = 0; i < out.length; i += 3) {
            assertEquals(0, out[i] & 0xFF);
            assertEquals(255, out[i + 2] & 0xFF);
        }
    }

    @Test
    void sameSizeIsTheIdentity() {
        RgbImage src = ImageDecoder.toRgb(TestImages.photo(31, 17, 5));
        assertArrayEquals(src.rgb(), Resizer.resize(src, 31, 17));
    }

    @Test
    void tapsWeightsSumToOne() {
        for (Resizer.Taps t : new Resizer.Taps[] {Resizer.Taps.of(0, 1000, 7, 1000), Resizer.Taps.of(3.5, 10, 224, 20)}) {
            for (int i = 0; i + 1 < t.start.length; i++) {
                double sum = 0;
                for (int k = t.start[i]; k < t.start[i + 1]; k++) sum += t.weight[k];
                assertEquals(1.0, sum, 1e-5);
                assertTrue(t.start[i + 1] > t.start[i]);
            }
        }
    }

    private static RgbImage filled(int w, int h, int r, int g, int b) {
        byte[] px = new byte[3 * w * h];
        for (int i = 0; i < px.length; i += 3) {
            px[i] = (byte) r;
            px[i + 1] = (byte) g;
            px[i + 2] = (byte) b;
        }
        return new RgbImage(w, h, px);
    }
}
