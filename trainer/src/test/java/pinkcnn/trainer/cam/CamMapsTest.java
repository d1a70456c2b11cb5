package pinkcnn.trainer.cam;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import pinkcnn.trainer.train.Predictions;

/** The map formulas on small hand-made activations and gradients, where every value can be worked out by hand. */
class CamMapsTest {
    // a 1×2 map with 2 channels: A[p][k] at (p·2 + k)
    static final float[] A = {1, 2, 3, 0}, G = {0.5f, -1, 1.5f, 2};

    @Test
    void gradCamWeighsChannelsByTheirMeanGradient() {
        // w = (mean(0.5, 1.5), mean(−1, 2)) = (1, 0.5); L = ReLU(1·1 + 0.5·2, 1·3 + 0.5·0) = (2, 3)
        assertArrayEquals(new float[] {2, 3}, CamMaps.gradCam(A, G, 1, 2, 2), 1e-6f);
        float[] negative = {-0.5f, 1, -1.5f, -2};
        assertArrayEquals(new float[] {0, 0}, CamMaps.gradCam(A, negative, 1, 2, 2), 0f, "ReLU: only positive evidence");
    }

    @Test
    void hiResCamKeepsTheGradientPerPosition() {
        // L = ReLU(0.5·1 − 1·2, 1.5·3 + 2·0) = (0, 4.5): Grad-CAM would give position 0 the value 2
        assertArrayEquals(new float[] {0, 4.5f}, CamMaps.hiResCam(A, G, 1, 2, 2), 1e-6f);
    }

    @Test
    void gradCamPlusPlusSumsPositiveGradientsScaledByAlpha() {
        // Σ A: channel 0 → 4, channel 1 → 2. w0 = 0.5/(2 + 0.5·4) + 1.5/(2 + 1.5·4) = 0.125 + 0.1875 = 0.3125;
        // w1 = 2/(2 + 2·2) = 1/3 (the −1 gradient does not count). L = (0.3125 + 2/3, 0.9375)
        assertArrayEquals(new float[] {(float) (0.3125 + 2.0 / 3), 0.9375f}, CamMaps.gradCamPlusPlus(A, G, 1, 2, 2), 1e-6f);
    }

    /** Activations = per-channel offsets + σ1·u1·v1ᵀ + σ2·u2·v2ᵀ (u centred and orthonormal): EigenCAM = ReLU(σ1·u1). */
    @Test
    void eigenCamProjectsOnTheFirstPrincipalComponent() {
        int hw = 4, c = 3;
        double[] u1 = {0.5, 0.5, -0.5, -0.5}, u2 = {0.5, -0.5, 0.5, -0.5};
        double[] v1 = {0.6, 0.8, 0}, v2 = {0, 0, 1}, offset = {2, 3, 1};
        double s1 = 4, s2 = 1;
        float[] a = new float[hw * c];
        for (int p = 0; p < hw; p++)
            for (int k = 0; k < c; k++) a[p * c + k] = (float) (offset[k] + s1 * u1[p] * v1[k] + s2 * u2[p] * v2[k]);
        float[] map = CamMaps.eigenCam(a, 2, 2, c);
        // the summed activations are largest where u1 > 0, so that side is kept
        assertArrayEquals(new float[] {2, 2, 0, 0}, map, 1e-5f);
        // many channels (the c×c path) and few positions (the hw×hw path) give the same answer
        float[] wide = new float[hw * 8];
        for (int p = 0; p < hw; p++) for (int k = 0; k < 8; k++) wide[p * 8 + k] = k < c ? a[p * c + k] : 0.5f;
        assertArrayEquals(map, CamMaps.eigenCam(wide, 2, 2, 8), 1e-5f);
        assertArrayEquals(new float[4], CamMaps.eigenCam(new float[hw * c], 2, 2, c), 0f, "no variation: a zero map");
    }

    @Test
    void methodsParseTheirCommandLineSpellings() {
        assertEquals(CamMethod.GRADCAM_PLUS_PLUS, CamMethod.parse("gradcam++"));
        assertEquals(CamMethod.HIRESCAM, CamMethod.parse("HiResCAM"));
        assertEquals(List.of("gradcam", "gradcam++", "hirescam", "eigencam"), CamMethod.ids());
        assertTrue(!CamMethod.EIGENCAM.needsGradient() && CamMethod.GRADCAM.needsGradient());
        assertThrows(IllegalArgumentException.class, () -> CamMethod.parse("saliency"));
    }

    @Test
    void overlaySamplesTheMapAtPixelCentres() {
        float[] map = {0, 1, 2, 3}; // 2×2
        assertEquals(0, CamFigure.sample(map, 2, 2, -0.5, -0.5), 1e-12, "edges clamp");
        assertEquals(1.5, CamFigure.sample(map, 2, 2, 0.5, 0.5), 1e-12, "the centre is the mean");
        assertEquals(3, CamFigure.sample(map, 2, 2, 1, 1), 1e-12);
    }

    @Test
    void galleryShowsMistakesFirstThenTheLeastConfidentCorrectOnes() {
        float[][] p = {{0.9f, 0.1f}, {0.3f, 0.7f}, {0.6f, 0.4f}, {0.2f, 0.8f}, {0.55f, 0.45f}};
        int[] labels = {0, 0, 0, 0, 0};
        // mistakes: 3 (0.8), 1 (0.7); then correct by rising confidence: 4 (0.55), 2 (0.6), 0 (0.9)
        assertEquals(List.of(3, 1, 4, 2, 0), ErrorGallery.chosen(new Predictions(p, labels)));
    }

    @Test
    void fileNamesAreSafeAndUnique() {
        assertEquals("Jisoo_Kim", CamWriter.fileSafe("Jisoo Kim"));
        assertEquals(List.of("a", "a-2", "b"), CamWriter.stems(List.of(java.nio.file.Path.of("x/a.jpg"),
                java.nio.file.Path.of("y/a.png"), java.nio.file.Path.of("b.jpg"))));
    }
}
