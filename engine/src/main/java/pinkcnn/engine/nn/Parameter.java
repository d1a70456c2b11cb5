package pinkcnn.engine.nn;

import java.util.Arrays;
import pinkcnn.engine.Tensor;

/**
 * A named weight of a layer, named as Keras names it ({@code kernel:0}, {@code bias:0}, {@code gamma:0},
 * {@code moving_mean:0} …) so that weight files map one to one. A trainable parameter receives gradients; a frozen
 * one (and batch norm's moving statistics, always) does not: no gradient is computed or stored for it.
 */
public final class Parameter {
    private final String name;
    private Tensor value;
    private final boolean learnable;
    private boolean trainable;

    /** @param learnable false for state that optimizers never touch (batch norm's moving statistics) */
    public Parameter(String name, Tensor value, boolean learnable) {
        this.name = name;
        this.value = value;
        this.learnable = learnable;
        setTrainable(learnable);
    }

    public String name() {
        return name;
    }

    public Tensor value() {
        return value;
    }

    public int[] shape() {
        return value.shape();
    }

    public boolean trainable() {
        return trainable;
    }

    /** Freezes or unfreezes; moving statistics stay untrainable whatever is asked. */
    public void setTrainable(boolean trainable) {
        this.trainable = trainable && learnable;
        value.requiresGrad(this.trainable);
    }

    /** Replaces the values (e.g. loaded from a weight file); the shape must match. */
    public void load(float[] data) {
        if (data.length != value.size()) {
            throw new IllegalArgumentException(name + ": " + data.length + " values for shape " + Arrays.toString(value.shape()));
        }
        value.backend().write(value.storage(), 0, data, 0, data.length);
    }

    @Override
    public String toString() {
        return name + Arrays.toString(value.shape()) + (trainable ? "" : " (frozen)");
    }
}
