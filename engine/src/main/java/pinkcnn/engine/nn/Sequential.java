package pinkcnn.engine.nn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import pinkcnn.engine.Tensor;

/** Layers applied one after another. */
public final class Sequential extends Layer {
    private final List<Layer> layers = new ArrayList<>();

    public Sequential(String name, List<? extends Layer> layers) {
        super(name);
        this.layers.addAll(layers);
    }

    public Sequential add(Layer layer) {
        layers.add(layer);
        return this;
    }

    public List<Layer> layers() {
        return Collections.unmodifiableList(layers);
    }

    @Override
    public Tensor forward(Tensor x) {
        for (Layer l : layers) x = l.forward(x);
        return x;
    }

    @Override
    public int[] outputShape(int[] in) {
        for (Layer l : layers) in = l.outputShape(in);
        return in;
    }

    @Override
    public List<Parameter> weights() {
        List<Parameter> all = new ArrayList<>();
        for (Layer l : layers) all.addAll(l.weights());
        return all;
    }

    @Override
    public long parameterCount() {
        long n = 0;
        for (Layer l : layers) n += l.parameterCount();
        return n;
    }

    @Override
    public void setTraining(boolean training) {
        super.setTraining(training);
        for (Layer l : layers) l.setTraining(training);
    }

    @Override
    public void setTrainable(boolean trainable) {
        super.setTrainable(trainable);
        for (Layer l : layers) l.setTrainable(trainable);
    }
}
