package pinkcnn.engine.reference;

import java.util.Arrays;

/** A reference tensor: its NHWC shape and float32 values, row-major. */
public record Activation(int[] shape, float[] data) {

    public long size() {
        long n = 1;
        for (int d : shape) n *= d;
        return n;
    }

    @Override
    public String toString() {
        return "Activation" + Arrays.toString(shape);
    }
}
