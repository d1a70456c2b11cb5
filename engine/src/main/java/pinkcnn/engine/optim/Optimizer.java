package pinkcnn.engine.optim;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import pinkcnn.engine.Tensor;
import pinkcnn.engine.nn.Parameter;

/**
 * Updates trainable parameters from their accumulated gradients, then clears the gradients. Per-parameter state
 * (momentum, Adam's moments) is kept on the parameter's device, created on first use.
 */
public abstract class Optimizer {
    protected final Map<Parameter, Tensor[]> state = new IdentityHashMap<>();
    protected float learningRate;
    private int steps;

    protected Optimizer(float learningRate) {
        this.learningRate = learningRate;
    }

    /** One update of every trainable parameter that has a gradient. */
    public void step(List<Parameter> parameters) {
        steps++;
        for (Parameter p : parameters) {
            Tensor v = p.value();
            if (!p.trainable() || v.gradOrNull() == null) continue;
            update(p, v, steps);
            v.zeroGrad();
        }
    }

    protected abstract void update(Parameter p, Tensor value, int step);

    /** State tensors for p (zero-filled on first use). */
    protected Tensor[] state(Parameter p, int count) {
        return state.computeIfAbsent(p, k -> {
            Tensor[] s = new Tensor[count];
            for (int i = 0; i < count; i++) {
                s[i] = Tensor.persistent(k.value().backend(), new float[Math.toIntExact(k.value().size())], k.shape());
            }
            return s;
        });
    }

    public int steps() {
        return steps;
    }

    /** For resuming a run: the number of updates already made (Adam's bias correction depends on it). */
    public void setSteps(int steps) {
        this.steps = steps;
    }

    public float learningRate() {
        return learningRate;
    }

    public void setLearningRate(float lr) {
        this.learningRate = lr;
    }
}
