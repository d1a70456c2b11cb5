package pinkcnn.trainer.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.DatasetCreationOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pinkcnn.engine.testing.Fuzzer;
import pinkcnn.trainer.MainCli;
import pinkcnn.trainer.UserError;

/**
 * Mutated dataset files (as prepare writes them, and as h5py or Keras code would: contiguous, or chunked by several
 * images with deflate) through {@link DatasetReader} and, for a sample, {@code pinkcnn check}: every one reads whole or
 * is a one-line {@link UserError} naming the file. Counts in docs/robustness.md.
 */
class DatasetFuzzTest {

    static final int READER_INPUTS = 400;
    static final int CHECK_INPUTS = 30;
    private static final int N = 5, H = 6, W = 5;

    @TempDir
    Path tmp;

    private List<byte[]> seeds() throws Exception {
        Random r = new Random(11);
        List<byte[]> images = new ArrayList<>();
        for (int i = 0; i < N; i++) {
            byte[] img = new byte[H * W * 3];
            r.nextBytes(img);
            images.add(img);
        }
        int[] labels = {0, 1, 1, 0, 1};
        List<byte[]> seeds = new ArrayList<>();
        Path pinkcnn = tmp.resolve("seed-prepare.h5");
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            DatasetWriter.write(pinkcnn, new DatasetWriter.SplitSpec("train", List.of("anna", "bob"), labels, H, W,
                    Map.of("preprocess_crop", "center", "preprocess_crop_fraction", "0.7", "seed", "42")),
                    images.iterator(), pool);
        } finally {
            pool.shutdownNow();
        }
        seeds.add(Files.readAllBytes(pinkcnn));

        byte[][][][] x = new byte[N][H][W][3];
        for (int i = 0; i < N; i++) {
            for (int y = 0; y < H; y++) for (int c = 0; c < W; c++) for (int ch = 0; ch < 3; ch++) x[i][y][c][ch] = images.get(i)[3 * (y * W + c) + ch];
        }
        DatasetCreationOptions[] layouts = {DatasetCreationOptions.builder().unsigned().build(),
            DatasetCreationOptions.builder().chunkDimensions(2, H, W, 3).deflate().unsigned().build()};
        for (DatasetCreationOptions options : layouts) {
            Path f = tmp.resolve("seed-other" + seeds.size() + ".h5");
            try (WritableHdfFile hdf = HdfFile.write(f)) {
                hdf.putDataset("dev_set_x", x, options);
                hdf.putDataset("dev_set_y", new long[] {0, 1, 1, 0, 1});
                hdf.putDataset("list_classes", new String[] {"anna", "bob"});
            }
            seeds.add(Files.readAllBytes(f));
        }
        return seeds;
    }

    /** Everything check and train read: names, labels, settings, the storage description and every image. */
    static void readAll(Path file) {
        try (DatasetReader d = DatasetReader.open(file)) {
            d.classes();
            d.countsPerClass();
            d.preprocessing();
            d.attributes();
            d.datasets();
            for (int i = 0; i < d.count(); i++) {
                byte[] image = d.image(i);
                if (image.length != d.imageBytes()) throw new AssertionError("image " + i + " has " + image.length + " bytes");
            }
            float[] floats = new float[Math.min(d.count(), 2) * d.imageBytes()];
            int[] first = d.count() >= 2 ? new int[] {0, 1} : new int[d.count()];
            d.readFloats(first, floats, 1 / 127.5f, -1);
        }
    }

    @Test
    void datasetFilesReadOrAreRefusedInOneLine() throws Exception {
        Path file = tmp.resolve("train.h5");
        Fuzzer.of("dataset .h5 (DatasetReader)", seeds(), 0x5EED_0003L)
                .refusals(UserError.class)
                .messages((m, e) -> e.getMessage().contains(file.toString()) ? null : "the message does not name the file")
                .run(READER_INPUTS, m -> {
                    Files.write(file, m.bytes());
                    readAll(file);
                });
    }

    @Test
    void checkReportsOrRefusesEachMutantInOneLine() throws Exception {
        Path work = Files.createDirectories(tmp.resolve("work"));
        Path file = work.resolve("train.h5"), sheet = work.resolve("sheet.png");
        Fuzzer fuzzer = Fuzzer.of("dataset .h5 (pinkcnn check)", seeds(), 0x5EED_0004L);
        int accepted = 0;
        for (Fuzzer.Mutant m : fuzzer.mutants(CHECK_INPUTS)) {
            Files.write(file, m.bytes());
            Files.deleteIfExists(sheet);
            MainCli.Result r = MainCli.cli("check", file.toString(), "--sheet", sheet.toString(), "--tile", "8");
            String where = "input " + m.index() + " (" + m.how() + ")";
            if (r.rc() == 0) {
                accepted++;
                assertTrue(Files.isRegularFile(sheet), where + ": no contact sheet");
            } else {
                assertEquals(2, r.rc(), where + ": " + r.err());
                assertTrue(r.err().startsWith("pinkcnn check: " + file) && r.err().strip().lines().count() == 1,
                        where + ": not one line naming the file: " + r.err());
            }
            try (Stream<Path> files = Files.list(work)) {
                List<String> names = files.map(p -> p.getFileName().toString()).sorted().toList();
                assertTrue(List.of("sheet.png", "train.h5").containsAll(names), where + ": wrote " + names);
            }
        }
        Fuzzer.count("dataset .h5 (pinkcnn check)", CHECK_INPUTS, accepted);
    }
}
