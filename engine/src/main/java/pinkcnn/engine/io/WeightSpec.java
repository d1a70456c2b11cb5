package pinkcnn.engine.io;

import java.util.Arrays;

/**
 * What a model expects of one weight: its Keras short name (such as {@code kernel:0}) and its shape. Layers list their
 * specs; {@link KerasWeights#checkAgainst} compares a file with them before any value is used.
 */
public record WeightSpec(String name, int[] shape) {

    public WeightSpec {
        shape = shape.clone();
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    /** {@code 3×3×32×1}, or {@code scalar}. */
    public static String shapeText(int[] shape) {
        if (shape.length == 0) return "scalar";
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < shape.length; i++) {
            if (i > 0) sb.append('×');
            sb.append(shape[i]);
        }
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WeightSpec && ((WeightSpec) o).name.equals(name) && Arrays.equals(((WeightSpec) o).shape, shape);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return name + " " + shapeText(shape);
    }
}
