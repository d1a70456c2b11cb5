package pinkcnn.trainer.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class StratifiedSplitTest {

    private static final StratifiedSplit.Ratios R60 = StratifiedSplit.Ratios.parse("60,20,20");

    @Test
    void sizesAreExactForGivenCounts() {
        // n · 0.6 / 0.2 / 0.2, floors, then the leftovers to the largest remainders (ties: train, dev, test).
        assertArrayEquals(new int[] {60, 20, 20}, StratifiedSplit.counts(100, R60));
        assertArrayEquals(new int[] {46, 16, 15}, StratifiedSplit.counts(77, R60));    // 46.2, 15.4, 15.4
        assertArrayEquals(new int[] {65, 22, 22}, StratifiedSplit.counts(109, R60));   // 65.4, 21.8, 21.8
        assertArrayEquals(new int[] {43, 14, 14}, StratifiedSplit.counts(71, R60));    // 42.6, 14.2, 14.2
        assertArrayEquals(new int[] {36, 12, 12}, StratifiedSplit.counts(60, R60));
        assertArrayEquals(new int[] {2, 1, 0}, StratifiedSplit.counts(3, R60));        // 1.8, 0.6, 0.6
        assertArrayEquals(new int[] {2, 1, 1}, StratifiedSplit.counts(4, R60));        // 2.4, 0.8, 0.8
        assertArrayEquals(new int[] {1, 1, 0}, StratifiedSplit.counts(2, R60));
        assertArrayEquals(new int[] {7, 2, 1}, StratifiedSplit.counts(10, StratifiedSplit.Ratios.parse("70,20,10")));
        assertArrayEquals(new int[] {2, 2, 1}, StratifiedSplit.counts(5, StratifiedSplit.Ratios.parse("1,1,1")));
        for (int n = 0; n < 300; n++) assertEquals(n, Arrays.stream(StratifiedSplit.counts(n, R60)).sum());
    }

    @Test
    void theMinimumPerClassGivesEverySplitAPhoto() {
        assertEquals(4, StratifiedSplit.minimumPerClass(R60));                          // 3 gives 2, 1, 0
        assertEquals(7, StratifiedSplit.minimumPerClass(StratifiedSplit.Ratios.parse("80,10,10")));   // 6 gives 5, 1, 0
    }

    @Test
    void assignmentIsStratifiedAndSeeded() {
        int[] classSizes = {77, 109, 71, 60, 4};
        for (int label = 0; label < classSizes.length; label++) {
            int n = classSizes[label];
            Split[] a = StratifiedSplit.assign(n, R60, 42, label);
            int[] got = new int[3];
            for (Split s : a) got[s.ordinal()]++;
            assertArrayEquals(StratifiedSplit.counts(n, R60), got, "class " + label);
            assertArrayEquals(a, StratifiedSplit.assign(n, R60, 42, label), "same seed, same split");
        }
        assertFalse(Arrays.equals(StratifiedSplit.assign(100, R60, 42, 0), StratifiedSplit.assign(100, R60, 43, 0)));
        assertFalse(Arrays.equals(StratifiedSplit.assign(100, R60, 42, 0), StratifiedSplit.assign(100, R60, 42, 1)),
                "classes are shuffled independently");
    }

    @Test
    void ratiosAreParsedAndChecked() {
        assertEquals(new StratifiedSplit.Ratios(70, 15, 15), StratifiedSplit.Ratios.parse(" 70, 15 ,15"));
        assertThrows(IllegalArgumentException.class, () -> StratifiedSplit.Ratios.parse("60,40"));
        assertThrows(IllegalArgumentException.class, () -> StratifiedSplit.Ratios.parse("60,40,0"));
        assertThrows(IllegalArgumentException.class, () -> StratifiedSplit.Ratios.parse("a,b,c"));
    }
}
