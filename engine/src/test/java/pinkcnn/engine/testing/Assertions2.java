package pinkcnn.engine.testing;

import static org.junit.jupiter.api.Assertions.fail;

/** Array comparisons with a combined absolute + relative tolerance and a message naming the worst element. */
public final class Assertions2 {
    private Assertions2() {}

    public static void assertClose(double[] expected, float[] actual, double atol, double rtol, String what) {
        if (expected.length != actual.length) fail(what + ": length " + actual.length + ", expected " + expected.length);
        int worst = -1;
        double worstExcess = 0;
        for (int i = 0; i < expected.length; i++) {
            double err = Math.abs(expected[i] - actual[i]);
            double allowed = atol + rtol * Math.abs(expected[i]);
            if (!(err <= allowed) && (worst < 0 || err - allowed > worstExcess)) {
                worst = i;
                worstExcess = err - allowed;
            }
        }
        if (worst >= 0) {
            fail(String.format("%s: element %d is %s, expected %s (atol %g, rtol %g)", what, worst, actual[worst],
                    expected[worst], atol, rtol));
        }
    }

    public static void assertClose(float[] expected, float[] actual, double atol, double rtol, String what) {
        double[] e = new double[expected.length];
        for (int i = 0; i < e.length; i++) e[i] = expected[i];
        assertClose(e, actual, atol, rtol, what);
    }
}
