package pinkcnn.engine.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import pinkcnn.engine.Tensor;
import pinkcnn.engine.cpu.CpuBackend;
import pinkcnn.engine.nn.Parameter;

/** Optimizer updates against values worked out by hand from the Keras formulas. */
class OptimizerTest {
    private static final CpuBackend CPU = new CpuBackend(1);

    @AfterAll
    static void close() {
        CPU.close();
    }

    private static Parameter param(float... values) {
        return new Parameter("w:0", Tensor.persistent(CPU, values, values.length), true);
    }

    private static void setGrad(Parameter p, float... g) {
        CPU.write(p.value().gradStorage(), 0, g, 0, g.length);
    }

    @Test
    void sgdWithMomentum() {
        // lr 0.1, momentum 0.9, p0 = 1, gradients 0.5, then 0.5, then −1:
        // v1 = −0.05,          p1 = 0.95
        // v2 = 0.9·(−0.05) − 0.05 = −0.095,  p2 = 0.855
        // v3 = 0.9·(−0.095) + 0.1 = 0.0145, p3 = 0.8695
        Parameter p = param(1f);
        Sgd sgd = new Sgd(0.1f, 0.9f);
        float[] grads = {0.5f, 0.5f, -1f}, expected = {0.95f, 0.855f, 0.8695f};
        for (int t = 0; t < 3; t++) {
            setGrad(p, grads[t]);
            sgd.step(List.of(p));
            assertArrayEquals(new float[] {expected[t]}, p.value().toArray(), 1e-6f, "step " + (t + 1));
        }
        assertArrayEquals(new float[] {0f}, p.value().gradArray(), "the step clears the gradient");
    }

    @Test
    void adamKerasDefaults() {
        // lr 1e-3, β1 0.9, β2 0.999, ε 1e-7, p0 = [1, −2], g = [0.1, −3] each step.
        // t=1: m = 0.1g, v = 0.001g², lr_t = 1e-3·√0.001/0.1 = 3.16227766e-4
        //      g = 0.1: m/(√v+ε) = 0.01/(0.00316227766 + 1e-7) = 3.1621777 → Δp = −0.00099996838
        //      g = −3:  m/(√v+ε) = −0.3/(0.0948683298 + 1e-7) = −3.1622743 → Δp = +0.00099999895
        // t=2 follows the same formulas with m = 0.19g, v = 0.001999g², lr_t = 1e-3·√0.001999/0.19.
        Parameter p = param(1f, -2f);
        Adam adam = new Adam();
        double[][] expected = new double[2][];
        double p0 = 1, p1 = -2, m0 = 0, m1 = 0, v0 = 0, v1 = 0;
        double g0 = 0.1, g1 = -3;
        for (int t = 1; t <= 2; t++) {   // the formulas above, in double
            m0 = 0.9 * m0 + 0.1 * g0; m1 = 0.9 * m1 + 0.1 * g1;
            v0 = 0.999 * v0 + 0.001 * g0 * g0; v1 = 0.999 * v1 + 0.001 * g1 * g1;
            double lrT = 1e-3 * Math.sqrt(1 - Math.pow(0.999, t)) / (1 - Math.pow(0.9, t));
            p0 -= lrT * m0 / (Math.sqrt(v0) + 1e-7); p1 -= lrT * m1 / (Math.sqrt(v1) + 1e-7);
            expected[t - 1] = new double[] {p0, p1};
        }
        // the hand-worked first step
        assertArrayEquals(new double[] {1 - 0.00099996838, -2 + 0.00099999895}, expected[0], 1e-10);
        for (int t = 0; t < 2; t++) {
            setGrad(p, 0.1f, -3f);
            adam.step(List.of(p));
            float[] got = p.value().toArray();
            assertArrayEquals(new float[] {(float) expected[t][0], (float) expected[t][1]}, got, 1e-6f, "step " + (t + 1));
        }
    }

    @Test
    void frozenParametersAreNotUpdated() {
        Parameter p = param(1f, 2f);
        p.setTrainable(false);
        assertNull(p.value().gradOrNull(), "a frozen parameter stores no gradient");
        new Adam().step(List.of(p));
        assertArrayEquals(new float[] {1f, 2f}, p.value().toArray());
    }
}
