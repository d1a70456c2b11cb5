package pinkcnn.engine.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import pinkcnn.engine.Autograd;
import pinkcnn.engine.Tensor;
import pinkcnn.engine.TensorScope;
import pinkcnn.engine.ops.Functional;

/**
 * Checks an op's backward against central finite differences.
 *
 * <p>The op's output y is reduced to a scalar with fixed random weights, L = Σ r⊙y, so one backward pass gives
 * ∂L/∂x for every input element at once; the numeric estimate is (L(x+h) − L(x−h)) / 2h for a sample of elements.
 * The backends compute in float32, so L is accumulated in double on the host from y's values, leaving only y's own
 * rounding (≈ 6e-8 relative per element) divided by 2h; with h = 1e-2 and O(1) values that is ~1e-5, and the
 * truncation error O(h²·f''') vanishes for the piecewise-linear ops and is ~1e-4 for batch norm and softmax. Hence
 * the tolerance: |numeric − analytic| ≤ 1e-3 + 1e-2·max(|numeric|, |analytic|). Inputs of kinked ops (ReLU, max
 * pooling) must be drawn away from the kinks by the caller, or a difference step would cross one.
 */
public final class GradientCheck {
    public static final double H = 1e-2;
    public static final double ATOL = 1e-3;
    public static final double RTOL = 1e-2;
    private static final int MAX_SAMPLES_PER_INPUT = 80;

    private GradientCheck() {}

    /** One mismatch found by the check. */
    public record Mismatch(int input, int index, double numeric, double analytic) {}

    /** Runs the check; returns all mismatches (empty when the gradient is right). Inputs must require grad. */
    public static List<Mismatch> run(Function<Tensor[], Tensor> op, Tensor... inputs) {
        Random rnd = new Random(7);
        List<Mismatch> bad = new ArrayList<>();
        float[] r;
        try (TensorScope scope = TensorScope.open()) {
            Tensor y = op.apply(inputs);
            r = new float[Math.toIntExact(y.size())];
            for (int i = 0; i < r.length; i++) r[i] = (float) rnd.nextGaussian();
            for (Tensor in : inputs) in.zeroGrad();
            Tensor loss = Functional.sum(Functional.multiply(y, Tensor.of(y.backend(), r, y.shape())));
            loss.backward();
        }
        for (int t = 0; t < inputs.length; t++) {
            Tensor in = inputs[t];
            if (!in.requiresGrad()) continue;
            float[] analytic = in.gradArray();
            if (analytic == null) analytic = new float[Math.toIntExact(in.size())];
            float[] x = in.toArray();
            for (int idx : sample(x.length, rnd)) {
                float orig = x[idx];
                x[idx] = (float) (orig + H);
                double plus = weightedSum(op, inputs, t, x, r);
                x[idx] = (float) (orig - H);
                double minus = weightedSum(op, inputs, t, x, r);
                x[idx] = orig;
                in.backend().write(in.storage(), 0, x, 0, x.length);
                double numeric = (plus - minus) / (2 * H);
                double a = analytic[idx];
                if (Math.abs(numeric - a) > ATOL + RTOL * Math.max(Math.abs(numeric), Math.abs(a))) {
                    bad.add(new Mismatch(t, idx, numeric, a));
                }
            }
        }
        return bad;
    }

    private static double weightedSum(Function<Tensor[], Tensor> op, Tensor[] inputs, int t, float[] x, float[] r) {
        Tensor in = inputs[t];
        in.backend().write(in.storage(), 0, x, 0, x.length);
        try (TensorScope scope = TensorScope.open(); Autograd.AutoCloseableNoThrow ng = Autograd.noGrad()) {
            float[] y = op.apply(inputs).toArray();
            double s = 0;
            for (int i = 0; i < y.length; i++) s += (double) r[i] * y[i];
            return s;
        }
    }

    private static int[] sample(int n, Random rnd) {
        if (n <= MAX_SAMPLES_PER_INPUT) {
            int[] all = new int[n];
            for (int i = 0; i < n; i++) all[i] = i;
            return all;
        }
        int[] s = new int[MAX_SAMPLES_PER_INPUT];
        for (int i = 0; i < s.length; i++) s[i] = rnd.nextInt(n);
        return s;
    }
}
