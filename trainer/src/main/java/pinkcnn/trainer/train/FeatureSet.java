package pinkcnn.trainer.train;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The inputs of the trainable part of a model for every image of one split: one array per tensor the trainable
 * part consumes (usually one; two when a fine-tuned segment starts inside a residual block), N × sampleShape each,
 * and the labels.
 */
public final class FeatureSet {
    private final Map<String, float[]> tensors = new LinkedHashMap<>();
    private final Map<String, int[]> shapes = new LinkedHashMap<>();
    private final int[] labels;

    public FeatureSet(int[] labels) {
        this.labels = labels;
    }

    public void put(String name, int[] sampleShape, float[] data) {
        long per = 1;
        for (int d : sampleShape) per *= d;
        if (data.length != per * labels.length) {
            throw new IllegalArgumentException(name + ": " + data.length + " values for " + labels.length + " samples of " + per);
        }
        tensors.put(name, data);
        shapes.put(name, sampleShape.clone());
    }

    public int count() {
        return labels.length;
    }

    public int[] labels() {
        return labels;
    }

    public Map<String, float[]> tensors() {
        return tensors;
    }

    public int[] sampleShape(String name) {
        return shapes.get(name).clone();
    }

    public int sampleSize(String name) {
        int n = 1;
        for (int d : shapes.get(name)) n *= d;
        return n;
    }

    /** Copies the samples at {@code indices} of tensor {@code name} into a new array (a batch). */
    public float[] gather(String name, int[] indices) {
        int per = sampleSize(name);
        float[] src = tensors.get(name), out = new float[indices.length * per];
        for (int k = 0; k < indices.length; k++) System.arraycopy(src, indices[k] * per, out, k * per, per);
        return out;
    }
}
