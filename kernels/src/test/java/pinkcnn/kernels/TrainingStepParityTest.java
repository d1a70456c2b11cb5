package pinkcnn.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import pinkcnn.engine.nn.Parameter;
import pinkcnn.engine.optim.Adam;
import pinkcnn.engine.testing.Assertions2;

/**
 * Whole training steps (forward, backward, Adam) of {@link SmallCnn} on the CPU and the OpenCL backend from the same
 * initial weights and batches: after 5 steps every parameter and batch-norm statistic must agree.
 *
 * <p>The tolerance is the single-kernel one, 1e-4 absolute + relative (on PoCL the two agree to about 1e-6). It could
 * need loosening on other devices: rounding differences compound from step to step, and Adam divides the first moment
 * by the root of the second, so a few ulps of difference in a tiny gradient can show up in the update (bounded by the
 * learning rate, 1e-3).
 */
class TrainingStepParityTest {
    static final int BATCH = 7, SIZE = 13, STEPS = 5;

    /** Seed 3: of the batches (t.rnd); the weights come from SmallCnn's own seed. */
    @RegisterExtension
    static final Twins t = new Twins(3);

    @Test
    void fiveAdamStepsGiveTheSameParameters() {
        // t.raw, not the recording t.cl: ParityCoverageTest counts single-method comparisons only
        SmallCnn onCpu = new SmallCnn(t.cpu, 42), onCl = new SmallCnn(t.raw, 42);
        Adam adamCpu = new Adam(1e-3f), adamCl = new Adam(1e-3f);
        for (int step = 0; step < STEPS; step++) {
            float[][] b = SmallCnn.batch(t.rnd, BATCH, SIZE);
            float lossCpu = onCpu.step(adamCpu, b[0], b[1], BATCH, SIZE);
            float lossCl = onCl.step(adamCl, b[0], b[1], BATCH, SIZE);
            assertEquals(lossCpu, lossCl, 1e-4 * (1 + Math.abs(lossCpu)), "loss at step " + step);
        }
        List<Parameter> pc = onCpu.model.weights(), po = onCl.model.weights();
        assertEquals(pc.size(), po.size());
        for (int i = 0; i < pc.size(); i++) {
            Assertions2.assertClose(pc.get(i).value().toArray(), po.get(i).value().toArray(), 1e-4, 1e-4,
                    "parameter " + i + " (" + pc.get(i).name() + ") after " + STEPS + " Adam steps");
        }
    }
}
