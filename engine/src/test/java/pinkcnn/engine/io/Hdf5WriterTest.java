package pinkcnn.engine.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pinkcnn.engine.reference.SharedData;

class Hdf5WriterTest {

    @TempDir
    Path tmp;

    @Test
    void checksumIsJenkinsLookup3() {
        // Reference values from lookup3.c's driver (hashlittle with initval 0).
        assertEquals(0xdeadbeef, Hdf5Writer.lookup3(new byte[0], 0, 0));
        byte[] text = "Four score and seven years ago".getBytes(StandardCharsets.US_ASCII);
        assertEquals(0x17770551, Hdf5Writer.lookup3(text, 0, text.length));
    }

    /**
     * jhdf 0.13.0's writer broke files whose last written group held no dataset (most cuts of MobileNetV2 hit it);
     * every cut reads back here.
     */
    @Test
    void everyCutOfTheBackboneReadsBackIdentically() throws IOException {
        KerasWeights all = KerasWeights.read(SharedData.mobilenetV2Weights());
        List<String> names = all.layerNames();
        for (int n = 1; n <= 40; n++) {
            KerasWeights cut = all.upTo(names.get(n - 1));
            Path file = tmp.resolve("cut.h5");
            cut.write(file);
            KerasWeightsTest.assertIdentical(cut, KerasWeights.read(file));
        }
    }

    @Test
    void edgeCasesReadBackInJhdfAndH5py() throws Exception {
        Hdf5Writer.Group root = new Hdf5Writer.Group("/");
        root.string("backend", "tensorflow");
        String utf8 = "schicht_äöü";
        String longName = "x".repeat(300);
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 300; i++) names.add("g" + i);
        root.strings("names", names);
        root.group(utf8).dataset("scalar", new int[0], new float[] {2.5f});
        root.group(longName).dataset("empty", new int[] {0, 4}, new float[0]);
        for (String n : names) root.group(n).emptyArray("weight_names");
        Hdf5Writer.Group deep = root.group("a").group("b").group("c");
        deep.dataset("v", new int[] {2, 3}, new float[] {1, 2, 3, 4, 5, 6});
        Path file = tmp.resolve("edge.h5");
        Hdf5Writer.write(root, file);

        try (HdfFile h = new HdfFile(file)) {
            assertEquals(303, h.getChildren().size());
            assertEquals("tensorflow", h.getAttribute("backend").getData());
            assertArrayEquals(names.toArray(), (String[]) h.getAttribute("names").getData());
            assertEquals(2.5f, ((Number) ((Dataset) h.getByPath(utf8 + "/scalar")).getData()).floatValue());
            assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, (float[]) ((Dataset) h.getByPath("a/b/c/v")).getDataFlat());
            assertArrayEquals(new int[] {0, 4}, ((Dataset) h.getByPath(longName + "/empty")).getDimensions());
        }

        PythonH5py.require();
        String out = PythonH5py.run(tmp, """
                import sys, h5py, numpy as np
                f = h5py.File(sys.argv[1], 'r')
                assert len(f) == 303
                assert f.attrs['backend'] == b'tensorflow'
                assert [n.decode() for n in f.attrs['names']] == ['g%d' % i for i in range(300)]
                assert f['schicht_äöü/scalar'][()] == np.float32(2.5)
                assert f['x' * 300 + '/empty'].shape == (0, 4)
                assert np.array_equal(f['a/b/c/v'][()], np.arange(1, 7, dtype=np.float32).reshape(2, 3))
                assert f['g299'].attrs['weight_names'].shape == (0,)
                print('OK')
                """, file.toString());
        assertEquals("OK", out.strip());
    }
}
