package pinkcnn.trainer.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** prepare on real photos: the 317 LFW JPEGs of ../shared/datasets/lfw-demo. */
class LfwDemoTest {

    @TempDir
    Path out;

    @Test
    void preparesTheFourPeopleWithExactSplits() throws Exception {
        Optional<Path> lfw = ExternalTools.lfwDemo();
        Assumptions.assumeTrue(lfw.isPresent(), "../shared/datasets/lfw-demo is absent");
        Cli run = Cli.prepare("--raw", lfw.get().toString(), "--out", out.toString(), "--size", "64", "--augment", "2");
        assertEquals(0, run.exitCode(), run.err());
        // Ariel_Sharon 77, Gerhard_Schroeder 109, Hugo_Chavez 71, Junichiro_Koizumi 60 (folder names, alphabetical).
        int[][] expected = {{46 * 2, 65 * 2, 43 * 2, 36 * 2}, {16, 22, 14, 12}, {15, 22, 14, 12}};
        for (Split s : Split.values()) {
            try (DatasetReader r = DatasetReader.open(out.resolve(s.fileName()))) {
                assertEquals(List.of("Ariel_Sharon", "Gerhard_Schroeder", "Hugo_Chavez", "Junichiro_Koizumi"), r.classes());
                assertArrayEquals(expected[s.ordinal()], r.countsPerClass(), s.id());
            }
        }
        assertTrue(run.out().contains("total"), run.out());

        Optional<String> python = ExternalTools.pythonWithH5py();
        if (python.isEmpty()) return;     // the h5py cross-check is DatasetFilesTest's; here it is a bonus
        try (DatasetReader dev = DatasetReader.open(out.resolve("dev.h5"))) {
            byte[] img = dev.image(17);
            long sum = 0;
            for (byte b : img) sum += b & 0xFF;
            String py = ExternalTools.runPython(python.get(), String.join("\n",
                    "import sys, h5py",
                    "f = h5py.File(sys.argv[1], 'r')",
                    "x = f['dev_set_x']",
                    "print(x.shape, x.dtype, int(x[17].astype('int64').sum()), int(f['dev_set_y'][17]))"),
                    out.resolve("dev.h5").toString()).strip();
            assertEquals("(64, 64, 64, 3) uint8 " + sum + " " + dev.label(17), py);
        }
    }
}
