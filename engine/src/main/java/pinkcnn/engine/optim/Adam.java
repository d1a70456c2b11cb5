package pinkcnn.engine.optim;

import pinkcnn.engine.Tensor;
import pinkcnn.engine.nn.Parameter;

/**
 * Adam (Kingma and Ba) as Keras implements it, defaults lr 1e-3, β1 0.9, β2 0.999, ε 1e-7:
 * m ← β1·m + (1−β1)·g; v ← β2·v + (1−β2)·g²; p ← p − lr·√(1−β2ᵗ)/(1−β1ᵗ) · m/(√v + ε).
 */
public final class Adam extends Optimizer {
    private final float beta1, beta2, epsilon;

    public Adam(float learningRate, float beta1, float beta2, float epsilon) {
        super(learningRate);
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.epsilon = epsilon;
    }

    public Adam(float learningRate) {
        this(learningRate, 0.9f, 0.999f, 1e-7f);
    }

    public Adam() {
        this(1e-3f);
    }

    @Override
    protected void update(Parameter p, Tensor value, int step) {
        Tensor[] mv = state(p, 2);
        value.backend().adamUpdate(value.size(), learningRate, beta1, beta2, epsilon, step, value.storage(),
                value.gradOrNull(), mv[0].storage(), mv[1].storage());
    }

    /** Sets p's moment estimates (resuming from a checkpoint). */
    public void setMoments(Parameter p, float[] m, float[] v) {
        Tensor[] mv = state(p, 2);
        mv[0].backend().write(mv[0].storage(), 0, m, 0, m.length);
        mv[1].backend().write(mv[1].storage(), 0, v, 0, v.length);
    }

    /** The first and second moment estimates of p (for checkpoints), or null before its first update. */
    public Tensor[] moments(Parameter p) {
        return state.get(p);
    }
}
