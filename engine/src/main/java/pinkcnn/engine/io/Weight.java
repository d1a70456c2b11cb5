package pinkcnn.engine.io;

import java.util.Arrays;

/**
 * One named weight of a layer: its Keras short name ({@code kernel:0}, {@code depthwise_kernel:0}, {@code gamma:0} …),
 * its shape in the Keras layout (conv HWIO, depthwise H·W·C·1, dense in×out) and its float32 values, row-major.
 */
public final class Weight {
    private final String name;
    private final int[] shape;
    private final float[] data;

    /** Takes ownership of {@code data}; its length must be the product of {@code shape}. */
    public Weight(String name, int[] shape, float[] data) {
        if (name == null || name.isEmpty() || name.contains("/")) {
            throw new IllegalArgumentException("a weight's short name must be non-empty and without '/': '" + name + "'");
        }
        long n = elementCount(shape);
        if (n != data.length) {
            throw new IllegalArgumentException("weight " + name + ": shape " + WeightSpec.shapeText(shape) + " holds " + n
                    + " values, got " + data.length);
        }
        this.name = name;
        this.shape = shape.clone();
        this.data = data;
    }

    public String name() {
        return name;
    }

    public int[] shape() {
        return shape.clone();
    }

    /** The values themselves (not a copy). */
    public float[] data() {
        return data;
    }

    public WeightSpec spec() {
        return new WeightSpec(name, shape);
    }

    /** The product of the dimensions; an IllegalArgumentException for a negative one or one that overflows. */
    public static long elementCount(int[] shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
            try {
                n = Math.multiplyExact(n, d);
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds more values than a long counts");
            }
        }
        return n;
    }

    @Override
    public String toString() {
        return name + " " + WeightSpec.shapeText(shape);
    }
}
