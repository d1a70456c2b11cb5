package pinkcnn.trainer.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.DatasetCreationOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pinkcnn.trainer.UserError;

/** DatasetWriter and DatasetReader: the original project's HDF5 layout, read back by pinkcnn and by h5py. */
class DatasetFilesTest {

    private static final int H = 5, W = 4;
    private static final List<String> CLASSES = List.of("Jisoo", "Jennie", "Rosé", "Lisa");

    @TempDir
    Path dir;

    private final ExecutorService pool = Executors.newFixedThreadPool(2);

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    private static List<byte[]> randomImages(int n, long seed) {
        Random r = new Random(seed);
        List<byte[]> images = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            byte[] b = new byte[H * W * 3];
            r.nextBytes(b);
            images.add(b);
        }
        return images;
    }

    private static DatasetWriter.SplitSpec spec(String split, int[] labels) {
        return new DatasetWriter.SplitSpec(split, CLASSES, labels, H, W,
                Map.of("preprocess_crop", "center", "preprocess_crop_fraction", "0.6"));
    }

    @Test
    void writtenFilesReadBackWithTheRightShapesTypesAndValues() {
        List<byte[]> images = randomImages(7, 1);
        int[] labels = {0, 1, 2, 3, 3, 2, 1};
        Path file = dir.resolve("dev.h5");
        DatasetWriter.write(file, spec("dev", labels), images.iterator(), pool);

        try (DatasetReader r = DatasetReader.open(file)) {
            assertEquals("dev", r.split());
            assertEquals(7, r.count());
            assertEquals(H, r.height());
            assertEquals(W, r.width());
            assertEquals(3, r.channels());
            assertEquals(CLASSES, r.classes());
            assertArrayEquals(labels, r.labels());
            assertArrayEquals(new int[] {1, 2, 2, 2}, r.countsPerClass());
            for (int i = 0; i < 7; i++) assertArrayEquals(images.get(i), r.image(i));
            byte[] batch = new byte[2 * r.imageBytes()];
            r.readImages(new int[] {6, 2}, batch);
            assertArrayEquals(images.get(6), java.util.Arrays.copyOfRange(batch, 0, r.imageBytes()));
            assertArrayEquals(images.get(2), java.util.Arrays.copyOfRange(batch, r.imageBytes(), 2 * r.imageBytes()));
            float[] floats = new float[r.imageBytes()];
            r.readFloats(new int[] {3}, floats, 1 / 127.5f, -1);
            assertEquals((images.get(3)[10] & 0xFF) / 127.5f - 1, floats[10], 1e-6);
            assertEquals(Optional.of(new Preprocessing(H, Preprocessing.Crop.CENTER, 0.6)), r.preprocessing());

            List<DatasetReader.DatasetInfo> info = r.datasets();
            assertEquals("dev_set_x", info.get(0).name());
            assertEquals("uint8", info.get(0).dtype());
            assertArrayEquals(new int[] {7, H, W, 3}, info.get(0).shape());
            assertTrue(info.get(0).storage().contains("deflate"), info.get(0).storage());
            assertEquals("int64", info.get(1).dtype());
            assertEquals("string", info.get(2).dtype());
        }
    }

    @Test
    void h5pyReadsTheSameShapesTypesAndValues() throws Exception {
        Optional<String> python = ExternalTools.pythonWithH5py();
        Assumptions.assumeTrue(python.isPresent(), "no python with h5py (CI installs python3-h5py)");
        for (int n : new int[] {1, 9}) {     // one image is written as a single chunk, more with a chunk index
            List<byte[]> images = randomImages(n, n);
            int[] labels = new int[n];
            for (int i = 0; i < n; i++) labels[i] = i % 4;
            Path file = dir.resolve("train" + n + ".h5");
            DatasetWriter.write(file, spec("train", labels), images.iterator(), pool);
            long sum = 0;
            for (byte[] img : images) for (byte b : img) sum += b & 0xFF;
            String out = ExternalTools.runPython(python.get(), String.join("\n",
                    "import sys, h5py",
                    "f = h5py.File(sys.argv[1], 'r')",
                    "x, y = f['train_set_x'], f['train_set_y']",
                    "print(x.shape, x.dtype, y.shape, y.dtype)",
                    "print(int(x[:].astype('int64').sum()), [int(v) for v in y[:]])",
                    "print([c.decode() if isinstance(c, bytes) else c for c in f['list_classes'][:]])",
                    "print([int(v) for v in x[-1, -1, -1]])",
                    "print(f.attrs['preprocess_crop_fraction'])"), file.toString()).strip();
            String[] lines = out.split("\n");
            assertEquals("(" + n + ", 5, 4, 3) uint8 (" + n + ",) int64", lines[0].strip());
            assertEquals(sum + " " + java.util.Arrays.toString(labels), lines[1].strip());
            assertEquals("['Jisoo', 'Jennie', 'Rosé', 'Lisa']", lines[2].strip());
            byte[] last = images.get(n - 1);
            int p = 3 * (H * W - 1);
            assertEquals("[" + (last[p] & 0xFF) + ", " + (last[p + 1] & 0xFF) + ", " + (last[p + 2] & 0xFF) + "]", lines[3].strip());
            assertTrue(lines[4].contains("0.6"), lines[4]);
        }
    }

    @Test
    void aFailureWhileWritingLeavesNoFile() {
        Path file = dir.resolve("train.h5");
        Iterator<byte[]> failing = new Iterator<>() {
            int i;

            @Override
            public boolean hasNext() {
                return true;
            }

            @Override
            public byte[] next() {
                if (++i == 4) throw new IllegalStateException("decoder crashed on image 4");
                return new byte[H * W * 3];
            }
        };
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> DatasetWriter.write(file, spec("train", new int[10]), failing, pool));
        assertEquals("decoder crashed on image 4", e.getMessage());
        assertFalse(Files.exists(file));

        assertThrows(RuntimeException.class, () -> DatasetWriter.write(file, spec("train", new int[10]),
                randomImages(3, 1).iterator(), pool), "fewer images than labels");
        assertFalse(Files.exists(file));
    }

    @Test
    void filesOfOtherWritersAreReadToo() throws Exception {
        // Contiguous (as h5py writes by default) and chunked by several images with compression.
        List<byte[]> images = randomImages(6, 3);
        byte[][][][] x = new byte[6][H][W][3];
        for (int i = 0; i < 6; i++) {
            for (int y = 0; y < H; y++) for (int c = 0; c < W; c++) for (int ch = 0; ch < 3; ch++) x[i][y][c][ch] = images.get(i)[3 * (y * W + c) + ch];
        }
        DatasetCreationOptions chunked = DatasetCreationOptions.builder().chunkDimensions(4, H, W, 3).deflate().unsigned().build();
        for (DatasetCreationOptions options : new DatasetCreationOptions[] {
                DatasetCreationOptions.builder().unsigned().build(), chunked}) {
            Path file = Files.createTempFile(dir, "other", ".h5");
            Files.delete(file);
            try (WritableHdfFile hdf = HdfFile.write(file)) {
                hdf.putDataset("test_set_x", x, options);
                hdf.putDataset("test_set_y", new long[] {0, 1, 0, 1, 0, 1});
                hdf.putDataset("list_classes", new String[] {"a", "b"});
            }
            try (DatasetReader r = DatasetReader.open(file)) {
                assertEquals("test", r.split());
                assertEquals(List.of("a", "b"), r.classes());
                for (int i = 0; i < 6; i++) assertArrayEquals(images.get(i), r.image(i), "image " + i);
                assertEquals(Optional.empty(), r.preprocessing());
            }
        }
    }

    @Test
    void malformedFilesAreUserErrors() throws Exception {
        assertThrows(UserError.class, () -> DatasetReader.open(dir.resolve("missing.h5")));
        Path text = Files.writeString(dir.resolve("text.h5"), "not hdf5");
        UserError e = assertThrows(UserError.class, () -> DatasetReader.open(text));
        assertTrue(e.getMessage().contains("text.h5"), e.getMessage());
        Path noImages = dir.resolve("labels-only.h5");
        try (WritableHdfFile hdf = HdfFile.write(noImages)) {
            hdf.putDataset("list_classes", new String[] {"a"});
        }
        assertTrue(assertThrows(UserError.class, () -> DatasetReader.open(noImages)).getMessage().contains("_set_x"));
    }
}
