package pinkcnn.engine.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pinkcnn.engine.reference.SharedData;

public class KerasWeightsTest {

    @TempDir
    Path tmp;

    @Test
    void readsTheSharedMobileNetV2Backbone() throws IOException {
        KerasWeights w = KerasWeights.read(SharedData.mobilenetV2Weights());
        List<String> names = w.layerNames();
        assertEquals(155, names.size());
        assertEquals(List.of("input_1", "Conv1_pad", "Conv1", "bn_Conv1", "Conv1_relu"), names.subList(0, 5));
        assertEquals("out_relu", names.get(154));
        assertEquals(2_257_984, w.parameterCount());
        assertEquals(260, w.weightCount());
        assertEquals("tensorflow", w.backend());
        assertEquals("2.2.4", w.kerasVersion());
        assertTrue(w.weights("input_1").isEmpty());
        assertArrayEquals(new int[] {3, 3, 3, 32}, w.weight("Conv1", "kernel:0").shape());
        assertArrayEquals(new int[] {3, 3, 96, 1}, w.weight("block_1_depthwise", "depthwise_kernel:0").shape());
        assertEquals(List.of("gamma:0", "beta:0", "moving_mean:0", "moving_variance:0"),
                w.weights("bn_Conv1").stream().map(Weight::name).toList());
        // uint8 quantization rounded some variances to exactly 0: BatchNorm's epsilon (1e-3) is what keeps them finite.
        for (float v : w.weight("bn_Conv1", "moving_variance:0").data()) assertTrue(v >= 0, "variances are not negative");
    }

    @Test
    void writeThenReadGivesIdenticalWeights() throws IOException {
        KerasWeights original = KerasWeights.read(SharedData.mobilenetV2Weights());
        Path file = tmp.resolve("copy.h5");
        original.write(file);
        assertIdentical(original, KerasWeights.read(file));
    }

    @Test
    void h5pyReadsWhatPinkcnnWritesAsKerasWould() throws Exception {
        Path shared = SharedData.mobilenetV2Weights();
        PythonH5py.require();
        Path file = tmp.resolve("written.h5");
        KerasWeights.read(shared).write(file);
        // Reads the attributes exactly as Keras 2.2.4's load_weights does (bytes .decode('utf8')), then every dataset.
        String out = PythonH5py.run(tmp, """
                import sys, h5py, numpy as np
                w = h5py.File(sys.argv[1], 'r'); s = h5py.File(sys.argv[2], 'r')
                def strs(a): return [x.decode('utf8') if hasattr(x, 'decode') else x for x in a]
                assert set(w.attrs.keys()) == {'layer_names', 'backend', 'keras_version'}, list(w.attrs.keys())
                layer_names = [n.decode('utf8') for n in w.attrs['layer_names']]
                assert layer_names == strs(s.attrs['layer_names'])
                assert w.attrs['backend'].decode('utf8') == 'tensorflow'
                assert w.attrs['keras_version'].decode('utf8') == '2.2.4'
                n = 0
                for name in layer_names:
                    g = w[name]
                    weight_names = [x.decode('utf8') for x in g.attrs['weight_names']]
                    assert weight_names == strs(s[name].attrs['weight_names']), name
                    if not weight_names:
                        a = g.attrs['weight_names']
                        assert a.shape == (0,) and a.dtype == np.float64, (name, a.dtype, a.shape)
                    for x in weight_names:
                        d = g[x]; e = s[name][x]
                        assert d.dtype == np.dtype('<f4') and d.shape == e.shape, (x, d.dtype, d.shape)
                        assert d.chunks is None and d.compression is None, x
                        assert np.array_equal(d[()], e[()]), x
                        n += 1
                print('OK', n)
                """, file.toString(), shared.toString());
        assertEquals("OK 260", out.strip());
    }

    @Test
    void h5pySeesValuesInRowMajorKerasOrder() throws Exception {
        PythonH5py.require();
        float[] kernel = new float[2 * 3 * 4 * 5];
        for (int i = 0; i < kernel.length; i++) kernel[i] = i * 0.5f - 7;
        KerasWeights w = new KerasWeights()
                .add("input_1", List.of())
                .add("conv", List.of(new Weight("kernel:0", new int[] {2, 3, 4, 5}, kernel),
                        new Weight("bias:0", new int[] {5}, new float[] {1, 2, 3, 4, 5})))
                .add("dw", List.of(new Weight("depthwise_kernel:0", new int[] {3, 3, 2, 1}, seq(18))));
        Path file = tmp.resolve("small.h5");
        w.write(file);
        String out = PythonH5py.run(tmp, """
                import sys, h5py, numpy as np
                f = h5py.File(sys.argv[1], 'r')
                assert [n.decode() for n in f.attrs['layer_names']] == ['input_1', 'conv', 'dw']
                assert [n.decode() for n in f['conv'].attrs['weight_names']] == ['conv/kernel:0', 'conv/bias:0']
                k = f['conv/conv/kernel:0'][()]
                assert np.array_equal(k, (np.arange(120, dtype=np.float32) * 0.5 - 7).reshape(2, 3, 4, 5))
                assert np.array_equal(f['conv/conv/bias:0'][()], np.array([1, 2, 3, 4, 5], np.float32))
                assert np.array_equal(f['dw/dw/depthwise_kernel:0'][()], np.arange(18, dtype=np.float32).reshape(3, 3, 2, 1))
                print('OK')
                """, file.toString());
        assertEquals("OK", out.strip());
        assertIdentical(w, KerasWeights.read(file));
    }

    @Test
    void readsFilesInKerasOwnLayouts() throws Exception {
        Path shared = SharedData.mobilenetV2Weights();
        PythonH5py.require();
        Path weightsOnly = tmp.resolve("keras2_weights.h5");
        Path wholeModel = tmp.resolve("keras2_model.h5");
        // As Keras 2 (h5py 2) wrote mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224_no_top.h5: fixed-length
        // byte strings, float64 (0,) weight_names for weightless layers, superblock 0; and a model.save file with the
        // weights under model_weights and layer_names split into layer_names0, 1, 2 (as Keras does for long lists).
        PythonH5py.run(tmp, """
                import sys, h5py, numpy as np
                s = h5py.File(sys.argv[1], 'r')
                def strs(a): return [x.decode('utf8') if hasattr(x, 'decode') else x for x in a]
                names = strs(s.attrs['layer_names'])
                def write(path, whole_model):
                    with h5py.File(path, 'w') as f:
                        root = f.create_group('model_weights') if whole_model else f
                        if whole_model:
                            f.attrs['model_config'] = np.bytes_(b'{}')
                        encoded = np.array([n.encode('utf8') for n in names])
                        if whole_model:
                            for i, part in enumerate(np.array_split(encoded, 3)):
                                root.attrs['layer_names%d' % i] = part
                        else:
                            root.attrs['layer_names'] = encoded
                        root.attrs['backend'] = np.bytes_(b'tensorflow')
                        root.attrs['keras_version'] = np.bytes_(b'2.1.4')
                        for n in names:
                            g = root.create_group(n)
                            weight_names = strs(s[n].attrs['weight_names'])
                            g.attrs['weight_names'] = np.array([x.encode('utf8') for x in weight_names])
                            for x in weight_names:
                                v = s[n][x][()]
                                g.create_dataset(x, v.shape, dtype=v.dtype)[:] = v
                write(sys.argv[2], False)
                write(sys.argv[3], True)
                f = h5py.File(sys.argv[2], 'r')
                assert f.attrs['layer_names'].dtype.kind == 'S' and f['input_1'].attrs['weight_names'].dtype == np.float64
                print('OK')
                """, shared.toString(), weightsOnly.toString(), wholeModel.toString());
        KerasWeights expected = KerasWeights.read(shared);
        for (Path file : List.of(weightsOnly, wholeModel)) {
            KerasWeights read = KerasWeights.read(file);
            assertEquals("2.1.4", read.kerasVersion(), file.toString());
            assertEquals("tensorflow", read.backend());
            assertIdentical(expected, read);
        }
    }

    @Test
    void refusesFilesThatAreNotHdf5() throws IOException {
        Path missing = tmp.resolve("missing.h5");
        assertMessage(missing, "missing.h5: no such file");

        Path text = tmp.resolve("notes.h5");
        Files.writeString(text, "these are not weights\n");
        assertMessage(text, "notes.h5: not an HDF5 file");

        Path empty = tmp.resolve("empty.h5");
        Files.write(empty, new byte[0]);
        assertMessage(empty, "empty.h5: not an HDF5 file");
    }

    @Test
    void refusesTruncatedFiles() throws IOException {
        byte[] whole = Files.readAllBytes(SharedData.mobilenetV2Weights());
        for (int length : new int[] {12, 100, 4096, whole.length / 2, whole.length - 1}) {
            Path cut = tmp.resolve("cut_" + length + ".h5");
            Files.write(cut, Arrays.copyOf(whole, length));
            WeightFileException e = assertThrows(WeightFileException.class, () -> KerasWeights.read(cut));
            assertTrue(e.getMessage().startsWith(cut.toString() + ": "), e.getMessage());
            if (length >= 100) assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        }
    }

    @Test
    void refusesHdf5FilesNotInTheKerasLayout() throws Exception {
        Path plain = tmp.resolve("plain.h5");
        try (io.jhdf.WritableHdfFile h5 = io.jhdf.HdfFile.write(plain)) {
            h5.putDataset("x", new float[] {1, 2, 3});
        }
        assertMessage(plain, "plain.h5: not a Keras weights file: no 'layer_names' attribute");

        Path noGroup = tmp.resolve("no_group.h5");
        try (io.jhdf.WritableHdfFile h5 = io.jhdf.HdfFile.write(noGroup)) {
            h5.putAttribute("layer_names", new String[] {"input_1", "Conv1"});
            h5.putGroup("input_1");
        }
        assertMessage(noGroup, "layer Conv1 is listed in layer_names but has no group");

        Path noDataset = tmp.resolve("no_dataset.h5");
        try (io.jhdf.WritableHdfFile h5 = io.jhdf.HdfFile.write(noDataset)) {
            h5.putAttribute("layer_names", new String[] {"Conv1"});
            h5.putGroup("Conv1").putAttribute("weight_names", new String[] {"Conv1/kernel:0"});
        }
        assertMessage(noDataset, "layer Conv1: weight Conv1/kernel:0 is listed in weight_names but its dataset is missing");
    }

    @Test
    void checkAgainstNamesMissingLayersAndWrongShapes() throws IOException {
        KerasWeights w = KerasWeights.read(SharedData.mobilenetV2Weights());
        Map<String, List<WeightSpec>> expected = specsOf(w);
        w.checkAgainst(expected); // the file fits its own shapes

        Map<String, List<WeightSpec>> moreLayers = specsOf(w);
        moreLayers.put("predictions", List.of(new WeightSpec("kernel:0", new int[] {1280, 4})));
        WeightFileException e = assertThrows(WeightFileException.class,
                () -> w.checkAgainst(moreLayers, "MobileNetV2 with a head"));
        assertTrue(e.getMessage().startsWith(SharedData.mobilenetV2Weights() + " does not fit MobileNetV2 with a head: "
                + "missing layer predictions"), e.getMessage());

        // A file for alpha 0.5 has 16 Conv1 filters where alpha 1.0 expects 32.
        Map<String, List<WeightSpec>> otherAlpha = specsOf(w);
        otherAlpha.put("Conv1", List.of(new WeightSpec("kernel:0", new int[] {3, 3, 3, 16})));
        e = assertThrows(WeightFileException.class, () -> w.checkAgainst(otherAlpha));
        assertTrue(e.getMessage().contains("layer Conv1: kernel:0 has shape 3×3×3×32, expected 3×3×3×16"),
                e.getMessage());

        Map<String, List<WeightSpec>> withBias = specsOf(w);
        List<WeightSpec> conv = new ArrayList<>(withBias.get("Conv1"));
        conv.add(new WeightSpec("bias:0", new int[] {32}));
        withBias.put("Conv1", conv);
        withBias.put("bn_Conv1", withBias.get("bn_Conv1").subList(0, 2)); // a BatchNorm without moving statistics
        List<String> problems = w.problemsAgainst(withBias);
        assertEquals(List.of("layer Conv1: missing weight bias:0 (expected 32)",
                "layer bn_Conv1: unexpected weight moving_mean:0 32",
                "layer bn_Conv1: unexpected weight moving_variance:0 32"), problems);
    }

    @Test
    void writeIsAtomicAndAFailedWriteLeavesTheOldFile() throws IOException {
        Path file = tmp.resolve("weights.h5");
        Files.writeString(file, "previous contents");
        // 6000 weight names make a weight_names attribute over the 64 KiB an HDF5 header message can hold: the write
        // fails after it has started.
        List<Weight> many = new ArrayList<>();
        for (int i = 0; i < 6000; i++) many.add(new Weight(String.format("w%04d:0", i), new int[] {1}, new float[1]));
        KerasWeights bad = new KerasWeights().add("dense", many);
        assertThrows(IllegalArgumentException.class, () -> bad.write(file));
        assertEquals("previous contents", Files.readString(file));
        try (Stream<Path> files = Files.list(tmp)) {
            assertEquals(List.of(file), files.toList(), "no temporary file is left behind");
        }

        KerasWeights good = new KerasWeights().add("dense", List.of(new Weight("kernel:0", new int[] {2, 2}, seq(4))));
        good.write(file);
        assertIdentical(good, KerasWeights.read(file));

        IOException e = assertThrows(IOException.class, () -> good.write(tmp.resolve("no/such/folder/w.h5")));
        assertTrue(e.getMessage().contains("the folder " + tmp.resolve("no/such/folder") + " does not exist"), e.getMessage());
    }

    @Test
    void upToKeepsTheFirstLayers() throws IOException {
        KerasWeights w = KerasWeights.read(SharedData.mobilenetV2Weights());
        KerasWeights first = w.upTo("bn_Conv1");
        assertEquals(List.of("input_1", "Conv1_pad", "Conv1", "bn_Conv1"), first.layerNames());
        assertEquals(3 * 3 * 3 * 32 + 4 * 32, first.parameterCount());
        assertThrows(IllegalArgumentException.class, () -> w.upTo("predictions"));
    }

    @Test
    void rejectsMalformedWeights() {
        assertThrows(IllegalArgumentException.class, () -> new Weight("kernel:0", new int[] {2, 2}, new float[3]));
        assertThrows(IllegalArgumentException.class, () -> new Weight("a/kernel:0", new int[] {1}, new float[1]));
        KerasWeights w = new KerasWeights();
        assertThrows(IllegalArgumentException.class, () -> w.add("a/b", List.of()));
        assertThrows(IllegalArgumentException.class, () -> w.add("x", List.of(
                new Weight("k:0", new int[] {1}, new float[1]), new Weight("k:0", new int[] {1}, new float[1]))));
    }

    static Map<String, List<WeightSpec>> specsOf(KerasWeights w) {
        Map<String, List<WeightSpec>> specs = new LinkedHashMap<>();
        w.layers().forEach((layer, weights) -> specs.put(layer, weights.stream().map(Weight::spec).toList()));
        return specs;
    }

    /** Same layers, weight names, shapes and values, bit for bit (public: the TF.js converter's tests use it too). */
    public static void assertIdentical(KerasWeights expected, KerasWeights actual) {
        assertEquals(expected.layerNames(), actual.layerNames());
        for (String layer : expected.layerNames()) {
            List<Weight> a = expected.weights(layer);
            List<Weight> b = actual.weights(layer);
            assertEquals(a.size(), b.size(), layer);
            for (int i = 0; i < a.size(); i++) {
                assertEquals(a.get(i).name(), b.get(i).name(), layer);
                assertArrayEquals(a.get(i).shape(), b.get(i).shape(), layer + " " + a.get(i).name());
                assertArrayEquals(a.get(i).data(), b.get(i).data(), layer + " " + a.get(i).name()); // bit for bit
            }
        }
    }

    private static void assertMessage(Path file, String expectedPart) {
        WeightFileException e = assertThrows(WeightFileException.class, () -> KerasWeights.read(file));
        assertTrue(e.getMessage().contains(expectedPart), e.getMessage());
        assertTrue(e.getMessage().contains(file.toString()), "names the file: " + e.getMessage());
    }

    private static float[] seq(int n) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) out[i] = i;
        return out;
    }
}
