package pinkcnn.engine.nn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import pinkcnn.engine.Tensor;

/**
 * A named building block with Keras' name and weight layout. Layers are used in train or eval mode (dropout and
 * batch norm differ) and can be frozen (no gradients for their weights; a frozen batch norm normalises with its
 * moving statistics).
 */
public abstract class Layer {
    private final String name;
    private final List<Parameter> weights = new ArrayList<>();
    protected boolean training;
    protected boolean trainable = true;

    protected Layer(String name) {
        this.name = name;
    }

    public String name() {
        return name;
    }

    /** One-input forward pass. */
    public abstract Tensor forward(Tensor x);

    /** Output shape for an input shape (including the batch axis). */
    public abstract int[] outputShape(int[] inputShape);

    /** This layer's weights in Keras order (trainable first, then e.g. moving statistics). */
    public List<Parameter> weights() {
        return Collections.unmodifiableList(weights);
    }

    protected Parameter addWeight(Parameter p) {
        weights.add(p);
        return p;
    }

    public long parameterCount() {
        long n = 0;
        for (Parameter p : weights) n += p.value().size();
        return n;
    }

    public void setTraining(boolean training) {
        this.training = training;
    }

    public boolean training() {
        return training;
    }

    public void setTrainable(boolean trainable) {
        this.trainable = trainable;
        for (Parameter p : weights) p.setTrainable(trainable);
    }

    public boolean trainable() {
        return trainable;
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "(" + name + ")";
    }
}
