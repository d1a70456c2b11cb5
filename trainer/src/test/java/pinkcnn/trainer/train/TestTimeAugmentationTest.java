package pinkcnn.trainer.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;
import pinkcnn.trainer.UserError;

class TestTimeAugmentationTest {

    @Test
    void mirrorReversesThePixelsOfEachRowAndKeepsTheirChannels() {
        // 2 images × 1 row × 3 pixels × 2 channels
        float[] px = {1, 2, 3, 4, 5, 6, /* image 2 */ 7, 8, 9, 10, 11, 12};
        TestTimeAugmentation.mirror(px, 2, 1, 3, 2);
        assertArrayEquals(new float[] {5, 6, 3, 4, 1, 2, 11, 12, 9, 10, 7, 8}, px);
        float[] even = {1, 2, 3, 4}; // 1 image, 2 rows, 2 pixels, 1 channel
        TestTimeAugmentation.mirror(even, 1, 2, 2, 1);
        assertArrayEquals(new float[] {2, 1, 4, 3}, even);
    }

    @Test
    void averagedViewsGiveTheMeanProbabilities() {
        Predictions a = new Predictions(new float[][] {{0.9f, 0.1f}, {0.2f, 0.8f}}, new int[] {0, 0});
        Predictions b = new Predictions(new float[][] {{0.5f, 0.5f}, {0.9f, 0.1f}}, new int[] {0, 0});
        Predictions mean = Predictions.average(List.of(a, b));
        assertArrayEquals(new float[] {0.7f, 0.3f}, mean.probabilities()[0], 1e-6f);
        assertArrayEquals(new float[] {0.55f, 0.45f}, mean.probabilities()[1], 1e-6f);
        assertEquals(0.5, a.accuracy(), 1e-9);
        assertEquals(1.0, mean.accuracy(), 1e-9, "the confident second view outvotes the first");
    }

    @Test
    void viewsAndNames() {
        assertEquals(List.of(false), TestTimeAugmentation.NONE.views());
        assertEquals(List.of(false, true), TestTimeAugmentation.FLIP.views());
        assertEquals(TestTimeAugmentation.FLIP, TestTimeAugmentation.parse("flip"));
        UserError e = assertThrows(UserError.class, () -> TestTimeAugmentation.parse("rotate"));
        assertEquals("unknown test-time augmentation 'rotate': use none or flip", e.getMessage());
    }
}
