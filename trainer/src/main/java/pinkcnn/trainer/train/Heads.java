package pinkcnn.trainer.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import pinkcnn.engine.backend.Backend;
import pinkcnn.engine.nn.Dense;
import pinkcnn.engine.nn.Dropout;
import pinkcnn.engine.nn.Flatten;
import pinkcnn.engine.nn.GlobalAveragePool2d;
import pinkcnn.engine.nn.Layer;
import pinkcnn.engine.nn.MaxPool2d;

/**
 * The classifier heads, named as Keras would name their layers:
 * <ul>
 *   <li>{@code original} — the original project's head, reproduced faithfully: MaxPool 2×2 → Flatten → Dense 256
 *       with no activation → Dropout 0.2 → Dense n with softmax and an L2 activity regulariser of 0.01 (on the
 *       backbone cut at {@code Conv_1_bn}).</li>
 *   <li>{@code linear} — (global average pooling of a map that was not pooled before) → Flatten → Dropout → Dense n:
 *       a regularised softmax regression, which is what a few hundred photos can support.</li>
 *   <li>{@code mlp} — Flatten → Dropout → Dense 256 ReLU → Dropout → Dense n.</li>
 * </ul>
 */
public final class Heads {
    /** The layer the original head sits on (the default cut of --head original). */
    public static final String ORIGINAL_CUT = "Conv_1_bn";
    /** The original head's activity regulariser, l2(0.01) on the softmax output. */
    public static final float ORIGINAL_ACTIVITY_L2 = 0.01f;

    private Heads() {}

    /** The head's layers for inputs of {@code sampleShape} (no batch axis). */
    public static List<Layer> build(Backend b, Head kind, int[] sampleShape, int classes, float dropout, long seed) {
        Random rnd = new Random(seed);
        List<Layer> layers = new ArrayList<>();
        int[] shape = new int[sampleShape.length + 1];
        shape[0] = 1;
        System.arraycopy(sampleShape, 0, shape, 1, sampleShape.length);
        switch (kind) {
            case ORIGINAL -> {
                if (shape.length != 4) throw new IllegalArgumentException("the original head needs a feature map, not " + java.util.Arrays.toString(sampleShape));
                shape = add(layers, new MaxPool2d("max_pooling2d", 2, 2, "valid"), shape);
                shape = add(layers, new Flatten("flatten"), shape);
                shape = add(layers, new Dense(b, "dense", shape[1], 256, false, rnd), shape);
                shape = add(layers, new Dropout("dropout", 0.2f, seed), shape);
                add(layers, new Dense(b, "dense_1", shape[1], classes, false, rnd), shape);
            }
            case LINEAR -> {
                if (shape.length == 4 && shape[1] * shape[2] > 9) shape = add(layers, new GlobalAveragePool2d("global_average_pooling2d"), shape);
                shape = add(layers, new Flatten("flatten"), shape);
                if (dropout > 0) shape = add(layers, new Dropout("dropout", dropout, seed), shape);
                add(layers, new Dense(b, "dense", shape[1], classes, false, rnd), shape);
            }
            case MLP -> {
                if (shape.length == 4 && shape[1] * shape[2] > 9) shape = add(layers, new GlobalAveragePool2d("global_average_pooling2d"), shape);
                shape = add(layers, new Flatten("flatten"), shape);
                if (dropout > 0) shape = add(layers, new Dropout("dropout", dropout, seed), shape);
                shape = add(layers, new Dense(b, "dense", shape[1], 256, true, rnd), shape);
                if (dropout > 0) shape = add(layers, new Dropout("dropout_1", dropout, seed + 1), shape);
                add(layers, new Dense(b, "dense_1", shape[1], classes, false, rnd), shape);
            }
        }
        return layers;
    }

    private static int[] add(List<Layer> layers, Layer l, int[] shape) {
        layers.add(l);
        return l.outputShape(shape);
    }

    public static float activityL2(Head kind) {
        return kind == Head.ORIGINAL ? ORIGINAL_ACTIVITY_L2 : 0f;
    }
}
