package pinkcnn.engine.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import pinkcnn.engine.io.KerasWeights;
import pinkcnn.engine.io.Npy;
import pinkcnn.engine.io.Weight;

/** Valid weight files for {@link Fuzzer} to mutate, written by pinkcnn's own writers (nothing from outside). */
public final class FuzzSeeds {

    private FuzzSeeds() {}

    /**
     * Keras-layout weights files with a few layers of the kinds MobileNetV2 has (weightless, conv kernel and bias,
     * batch norm, dense), one of them with an extra root attribute.
     */
    public static List<byte[]> kerasWeights(Path tmp) throws IOException {
        return List.of(kerasWeights(tmp, 1, false), kerasWeights(tmp, 2, true));
    }

    private static byte[] kerasWeights(Path tmp, long seed, boolean attribute) throws IOException {
        Random r = new Random(seed);
        KerasWeights w = new KerasWeights()
                .add("input_1", List.of())
                .add("conv", List.of(weight(r, "kernel:0", 3, 3, 2, 4), weight(r, "bias:0", 4)))
                .add("bn", List.of(weight(r, "gamma:0", 4), weight(r, "beta:0", 4), weight(r, "moving_mean:0", 4),
                        weight(r, "moving_variance:0", 4)))
                .add("relu", List.of())
                .add("dense", List.of(weight(r, "kernel:0", 4, 3), weight(r, "bias:0", 3)));
        if (attribute) w.withAttribute("pinkcnn_model", "{\"classes\": [\"a\", \"b\", \"c\"]}");
        Path f = tmp.resolve("seed-" + seed + ".h5");
        w.write(f);
        return Files.readAllBytes(f);
    }

    /** .npy files of the given shapes, random float32 values. */
    public static List<byte[]> npy(Path tmp, int[]... shapes) throws IOException {
        Random r = new Random(3);
        List<byte[]> seeds = new ArrayList<>();
        for (int[] shape : shapes) {
            Path f = tmp.resolve("seed" + seeds.size() + ".npy");
            float[] v = new float[(int) Weight.elementCount(shape)];
            for (int i = 0; i < v.length; i++) v[i] = r.nextFloat();
            Npy.write(f, shape, v);
            seeds.add(Files.readAllBytes(f));
        }
        return seeds;
    }

    private static Weight weight(Random r, String name, int... shape) {
        float[] v = new float[(int) Weight.elementCount(shape)];
        for (int i = 0; i < v.length; i++) v[i] = (float) r.nextGaussian();
        return new Weight(name, shape, v);
    }
}
