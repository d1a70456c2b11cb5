package pinkcnn.engine.optim;

import pinkcnn.engine.Tensor;
import pinkcnn.engine.nn.Parameter;

/** Keras SGD: v ← momentum·v − lr·g; p ← p + v (plain gradient descent when momentum is 0). */
public final class Sgd extends Optimizer {
    private final float momentum;

    public Sgd(float learningRate, float momentum) {
        super(learningRate);
        this.momentum = momentum;
    }

    @Override
    protected void update(Parameter p, Tensor value, int step) {
        Tensor velocity = state(p, 1)[0];
        value.backend().sgdMomentumUpdate(value.size(), learningRate, momentum, value.storage(), value.gradOrNull(),
                velocity.storage());
    }
}
