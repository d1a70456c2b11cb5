package pinkcnn.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pinkcnn.engine.io.KerasWeights;
import pinkcnn.engine.testing.FuzzSeeds;
import pinkcnn.engine.testing.Fuzzer;

/**
 * A sample of mutated weight files through the commands that read them: {@code convert --from FILE.h5} and
 * {@code inspect --input FILE.npy}. Each run ends in exit 0 with a correct output, or exit 2 with one line naming the
 * file; nothing is written but the output. (The readers themselves get many more inputs in the engine's
 * WeightFilesFuzzTest.)
 */
class WeightFilesCliFuzzTest {

    static final int CONVERT_INPUTS = 25;
    static final int INSPECT_INPUTS = 25;

    @TempDir
    Path tmp;

    private static void assertOnlyFiles(Path dir, List<String> allowed, String where) throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            List<String> names = files.map(p -> p.getFileName().toString()).sorted().toList();
            assertTrue(allowed.containsAll(names), where + ": the folder holds " + names);
        }
    }

    @Test
    void convertCopiesOrRefusesEachMutatedH5() throws Exception {
        Path work = Files.createDirectories(tmp.resolve("work"));
        Path in = work.resolve("in.h5"), out = work.resolve("out.h5");
        Fuzzer fuzzer = Fuzzer.of("Keras .h5 weights (pinkcnn convert)", FuzzSeeds.kerasWeights(tmp), 0x5EED_0101L);
        int accepted = 0;
        for (Fuzzer.Mutant m : fuzzer.mutants(CONVERT_INPUTS)) {
            Files.write(in, m.bytes());
            Files.deleteIfExists(out);
            MainCli.Result r = MainCli.cli("convert", "--from", in.toString(), "--out", out.toString());
            String where = "input " + m.index() + " (" + m.how() + ")";
            if (r.rc() == 0) {
                accepted++;
                assertEquals(KerasWeights.read(in).layerNames(), KerasWeights.read(out).layerNames(), where);
            } else {
                assertEquals(2, r.rc(), where + ": " + r.err());
                assertTrue(r.err().startsWith("pinkcnn convert: " + in) && r.err().strip().lines().count() == 1,
                        where + ": not one line naming the file: " + r.err());
            }
            assertOnlyFiles(work, List.of("in.h5", "out.h5"), where);
        }
        Fuzzer.count("Keras .h5 weights (pinkcnn convert)", CONVERT_INPUTS, accepted);
    }

    @Test
    void inspectRefusesEachMutatedNpyInOneLine() throws Exception {
        // The input is read before the model: with no weights file, a readable input gets as far as the weights.
        Path work = Files.createDirectories(tmp.resolve("work"));
        Path in = work.resolve("in.npy"), weights = work.resolve("absent.h5");
        Fuzzer fuzzer = Fuzzer.of(".npy arrays (pinkcnn inspect)", FuzzSeeds.npy(tmp, new int[] {1, 32, 32, 3}, new int[] {2, 3}),
                0x5EED_0102L).text();
        int accepted = 0;
        for (Fuzzer.Mutant m : fuzzer.mutants(INSPECT_INPUTS)) {
            Files.write(in, m.bytes());
            MainCli.Result r = MainCli.cli("inspect", "--weights", weights.toString(), "--size", "32", "--device", "cpu",
                    "--layer", "Conv1", "--input", in.toString(), "--out", work.resolve("out.npy").toString());
            String where = "input " + m.index() + " (" + m.how() + ")";
            assertEquals(2, r.rc(), where + ": " + r.err());
            assertTrue(r.err().strip().lines().count() == 1, where + ": not one line: " + r.err());
            if (r.err().startsWith("pinkcnn inspect: " + weights)) accepted++;       // the input was read
            else assertTrue(r.err().startsWith("pinkcnn inspect: " + in), where + ": does not name the file: " + r.err());
            assertOnlyFiles(work, List.of("in.npy"), where);
        }
        Fuzzer.count(".npy arrays (pinkcnn inspect)", INSPECT_INPUTS, accepted);
    }
}
