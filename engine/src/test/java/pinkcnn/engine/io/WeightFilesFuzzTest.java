package pinkcnn.engine.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pinkcnn.engine.testing.FuzzSeeds;
import pinkcnn.engine.testing.Fuzzer;

/**
 * Mutated Keras-layout {@code .h5} weights and {@code .npy} arrays: each reads correctly or is refused with a
 * {@link WeightFileException} (any IOException for .npy) whose one-line message names the file. Counts in
 * docs/robustness.md.
 */
class WeightFilesFuzzTest {

    static final int KERAS_H5_INPUTS = 400;
    static final int NPY_INPUTS = 400;

    @TempDir
    Path tmp;

    static Fuzzer.MessageCheck namesTheFile(Path file) {
        return (m, e) -> e.getMessage().contains(file.toString()) ? null : "the message does not name " + file;
    }

    @Test
    void kerasWeightsReadOrAreRefusedInOneLine() throws Exception {
        Path file = tmp.resolve("weights.h5");
        Fuzzer.of("Keras .h5 weights", FuzzSeeds.kerasWeights(tmp), 0x5EED_0001L)
                .refusals(WeightFileException.class)
                .messages(namesTheFile(file))
                .run(KERAS_H5_INPUTS, m -> {
                    Files.write(file, m.bytes());
                    KerasWeights.read(file).parameterCount();
                });
    }

    @Test
    void npyArraysReadOrAreRefusedInOneLine() throws Exception {
        Path file = tmp.resolve("array.npy");
        Fuzzer.of(".npy arrays", FuzzSeeds.npy(tmp, new int[] {2, 3}, new int[] {1, 4, 4, 3}, new int[] {7}, new int[0]),
                        0x5EED_0002L)
                .refusals(IOException.class)
                .messages(namesTheFile(file))
                .text()
                .run(NPY_INPUTS, m -> {
                    Files.write(file, m.bytes());
                    Npy.Array a = Npy.read(file);
                    if (a.data().length != Weight.elementCount(a.shape())) {
                        throw new AssertionError("shape " + Arrays.toString(a.shape()) + " but " + a.data().length + " values");
                    }
                });
    }
}
