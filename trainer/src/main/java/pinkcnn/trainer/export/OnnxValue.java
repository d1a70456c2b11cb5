package pinkcnn.trainer.export;

import java.util.Arrays;

/**
 * A tensor of an ONNX graph under construction: its name in the graph and its shape as pinkcnn sees it (NHWC for
 * feature maps, N×features after a flatten), with −1 for the dynamic batch. A 4-D value is stored NCHW in the ONNX
 * graph (ONNX's Conv and pooling want channels first); {@link OnnxBuilder} transposes back wherever NHWC order
 * matters (a flatten, a 4-D model output).
 */
public record OnnxValue(String name, int[] shape) {
    public OnnxValue {
        shape = shape.clone();
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    public int dim(int i) {
        return shape[i < 0 ? shape.length + i : i];
    }

    @Override
    public String toString() {
        return name + Arrays.toString(shape);
    }
}
