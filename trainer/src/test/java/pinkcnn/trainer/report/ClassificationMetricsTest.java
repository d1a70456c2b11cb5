package pinkcnn.trainer.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ClassificationMetricsTest {

    private static final double EPS = 1e-12;
    static final List<String> ABCD = List.of("a", "b", "c", "d");

    /**
     * 11 samples, 4 classes; class d has 2 true samples and is never predicted. Confusion [true][pred]:
     * <pre>
     *        a  b  c  d   support
     *   a    3  1  0  0   4
     *   b    1  2  0  0   3
     *   c    0  1  1  0   2
     *   d    1  0  1  0   2
     *  pred  5  4  2  0
     * </pre>
     */
    static ClassificationMetrics example() {
        int[] truth = {0, 0, 0, 0, 1, 1, 1, 2, 2, 3, 3};
        int[] predicted = {0, 0, 0, 1, 1, 1, 0, 2, 1, 0, 2};
        return ClassificationMetrics.of(truth, predicted, ABCD);
    }

    @Test
    void handComputedFigures() {
        ClassificationMetrics m = example();
        assertEquals(11, m.samples());
        assertEquals(4, m.classCount());
        assertArrayEquals(new int[][] {{3, 1, 0, 0}, {1, 2, 0, 0}, {0, 1, 1, 0}, {1, 0, 1, 0}}, m.confusion());
        assertEquals(6 / 11.0, m.accuracy(), EPS);

        assertEquals(3 / 5.0, m.precision(0), EPS);
        assertEquals(2 / 4.0, m.precision(1), EPS);
        assertEquals(1 / 2.0, m.precision(2), EPS);
        assertEquals(0, m.precision(3), EPS, "never predicted: precision 0 (zero_division=0)");

        assertEquals(3 / 4.0, m.recall(0), EPS);
        assertEquals(2 / 3.0, m.recall(1), EPS);
        assertEquals(1 / 2.0, m.recall(2), EPS);
        assertEquals(0, m.recall(3), EPS);

        // F1 = 2tp / (2tp + fp + fn)
        assertEquals(6 / 9.0, m.f1(0), EPS);
        assertEquals(4 / 7.0, m.f1(1), EPS);
        assertEquals(2 / 4.0, m.f1(2), EPS);
        assertEquals(0, m.f1(3), EPS);
        assertEquals(73 / 168.0, m.macroF1(), EPS);   // (2/3 + 4/7 + 1/2 + 0) / 4

        assertArrayEquals(new int[] {4, 3, 2, 2}, new int[] {m.support(0), m.support(1), m.support(2), m.support(3)});
        assertArrayEquals(new int[] {5, 4, 2, 0},
                new int[] {m.predictedCount(0), m.predictedCount(1), m.predictedCount(2), m.predictedCount(3)});
        assertEquals(1, m.count(3, 2));
        assertTrue(m.logLoss().isEmpty(), "no probabilities, no log-loss");

        List<ClassificationMetrics.ClassScores> perClass = m.perClass();
        assertEquals(new ClassificationMetrics.ClassScores("b", 0.5, 2 / 3.0, 4 / 7.0, 3), perClass.get(1));
        assertEquals("d", perClass.get(3).className());
    }

    @Test
    void aClassAbsentFromTruthAndPredictionsCountsAsZeroInMacroF1() {
        ClassificationMetrics m = ClassificationMetrics.of(new int[] {0, 0, 1}, new int[] {0, 1, 1}, List.of("a", "b", "c"));
        assertEquals(0, m.support(2));
        assertEquals(0, m.predictedCount(2));
        assertEquals(0, m.precision(2), EPS);
        assertEquals(0, m.recall(2), EPS);
        assertEquals(0, m.f1(2), EPS);
        assertEquals(2 / 3.0, m.f1(0), EPS);   // tp 2, fn 1
        assertEquals(2 / 3.0, m.f1(1), EPS);   // tp 1, fp 1
        assertEquals(4 / 9.0, m.macroF1(), EPS, "mean over all three listed classes");
        assertEquals(2 / 3.0, m.accuracy(), EPS);
    }

    @Test
    void perfectAndEmptySets() {
        ClassificationMetrics perfect = ClassificationMetrics.of(new int[] {1, 0, 1}, new int[] {1, 0, 1}, List.of("x", "y"));
        assertEquals(1, perfect.accuracy(), EPS);
        assertEquals(1, perfect.macroF1(), EPS);
        ClassificationMetrics empty = ClassificationMetrics.of(new int[0], new int[0], List.of("x", "y"));
        assertEquals(0, empty.samples());
        assertEquals(0, empty.accuracy(), EPS);
        assertEquals(0, empty.macroF1(), EPS);
    }

    @Test
    void probabilitiesGiveArgmaxPredictionsAndLogLoss() {
        float[][] p = {{0.8f, 0.2f}, {0.4f, 0.6f}, {0.5f, 0.5f}, {0f, 1f}};
        int[] truth = {0, 0, 1, 0};
        ClassificationMetrics m = ClassificationMetrics.fromProbabilities(truth, p, List.of("x", "y"));
        // predictions 0, 1, 0 (tie: first class), 1
        assertArrayEquals(new int[][] {{1, 2}, {1, 0}}, m.confusion());
        double expected = -(Math.log(0.8f) + Math.log(0.4f) + Math.log(0.5f) + Math.log(ClassificationMetrics.LOG_LOSS_FLOOR)) / 4;
        assertEquals(expected, m.logLoss().orElseThrow(), 1e-9);
    }

    @Test
    void rebuildsFromItsConfusionMatrix() {
        ClassificationMetrics m = example();
        ClassificationMetrics again = ClassificationMetrics.fromConfusion(m.confusion(), ABCD, Double.NaN);
        assertEquals(m, again);
        assertEquals(m.macroF1(), again.macroF1(), 0);
        assertNotEquals(m, ClassificationMetrics.fromConfusion(m.confusion(), ABCD, 0.5));
        int[][] copy = m.confusion();
        copy[0][0] = 99;
        assertEquals(3, m.count(0, 0), "confusion() returns a copy");
    }

    @Test
    void rejectsInconsistentInput() {
        List<String> xy = List.of("x", "y");
        assertThrows(IllegalArgumentException.class, () -> ClassificationMetrics.of(new int[] {0}, new int[] {0, 1}, xy));
        assertThrows(IllegalArgumentException.class, () -> ClassificationMetrics.of(new int[] {2}, new int[] {0}, xy));
        assertThrows(IllegalArgumentException.class, () -> ClassificationMetrics.of(new int[] {0}, new int[] {-1}, xy));
        assertThrows(IllegalArgumentException.class, () -> ClassificationMetrics.of(new int[0], new int[0], List.of()));
        assertThrows(IllegalArgumentException.class, () -> ClassificationMetrics.of(new int[0], new int[0], List.of("x", "x")));
        assertThrows(IllegalArgumentException.class,
                () -> ClassificationMetrics.fromProbabilities(new int[] {0}, new float[][] {{1f, 0f, 0f}}, xy));
        assertThrows(IllegalArgumentException.class,
                () -> ClassificationMetrics.fromConfusion(new int[][] {{1, 0}}, xy, Double.NaN));
        assertThrows(IllegalArgumentException.class,
                () -> ClassificationMetrics.fromConfusion(new int[][] {{1, 0}, {0, -1}}, xy, Double.NaN));
        assertFalse(example().toString().isEmpty());
    }
}
