package pinkcnn.trainer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import pinkcnn.engine.io.KerasWeights;
import pinkcnn.engine.io.Weight;
import pinkcnn.engine.reference.SharedData;
import pinkcnn.trainer.convert.NsfwjsTarball;

class ConvertCommandTest {

    @TempDir
    Path tmp;

    /** The exit code, stdout and stderr of one in-process run of the CLI. */
    record Run(int exit, String out, String err) {}

    static Run pinkcnn(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int exit = cli.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void convertsTheNsfwjsPackageIntoTheSharedBackboneValueForValue() throws IOException {
        Path shared = SharedData.mobilenetV2Weights();
        NsfwjsTarball.require(); // fetched once into the cache with npm pack; skips if npm is absent and nothing is cached
        Path out = tmp.resolve("mobilenet_v2.h5");
        Run run = pinkcnn("convert", "--from", "npm:" + NsfwjsTarball.SPEC, "--out", out.toString());
        assertEquals(0, run.exit(), run.err());
        assertTrue(run.out().contains("kept   155 of 162 layers: input_1 … out_relu"), run.out());
        assertTrue(run.out().contains("2,257,984 parameters"), run.out());
        assertTrue(run.out().contains("266 float32 as uint8"), run.out());
        assertEqualValues(KerasWeights.read(shared), KerasWeights.read(out));
    }

    @Test
    void convertsTheUnpackedModelFolderAndKeepsTheHeadOnRequest() throws IOException {
        Path shared = SharedData.mobilenetV2Weights();
        Path tgz = NsfwjsTarball.require();
        Path folder = tmp.resolve("mobilenet_v2");
        NsfwjsTarball.extractModel(tgz, folder);
        Path out = tmp.resolve("from_folder.h5");
        Run run = pinkcnn("convert", "--from", folder.toString(), "--out", out.toString());
        assertEquals(0, run.exit(), run.err());
        assertEqualValues(KerasWeights.read(shared), KerasWeights.read(out));

        Path whole = tmp.resolve("whole.h5");
        run = pinkcnn("convert", "--from", tgz.toString(), "--out", whole.toString(), "--until", "all");
        assertEquals(0, run.exit(), run.err());
        KerasWeights all = KerasWeights.read(whole);
        assertEquals(162, all.layerNames().size());
        assertEquals("dense_3", all.layerNames().get(161));
        assertArrayEquals(new int[] {128, 5}, all.weight("dense_3", "kernel:0").shape());
        assertEqualValues(KerasWeights.read(shared), all.upTo("out_relu"));
    }

    @Test
    void convertsAModelJsonGivenAsFileOrFolder() throws IOException {
        Path folder = Files.createDirectory(tmp.resolve("tfjs"));
        Files.writeString(folder.resolve("model.json"), """
                {"format": "layers-model", "modelTopology": {"class_name": "Sequential", "config": {"name": "s",
                  "layers": [{"class_name": "Dense", "config": {"name": "dense", "units": 2}}]}},
                 "weightsManifest": [{"paths": ["group1-shard1of1.bin"], "weights": [
                   {"name": "dense/bias", "shape": [2], "dtype": "float32"},
                   {"name": "dense/kernel", "shape": [3, 2], "dtype": "float32",
                    "quantization": {"dtype": "uint8", "scale": 0.5, "min": -1}}]}]}""");
        Files.write(folder.resolve("group1-shard1of1.bin"), new byte[] {0, 0, (byte) 0x80, 0x3f, 0, 0, 0, (byte) 0xc0,
                0, 1, 2, 3, 4, 5}); // bias 1.0f, -2.0f (little-endian float32), then the kernel's uint8 values
        for (Path from : List.of(folder, folder.resolve("model.json"))) {
            Path out = tmp.resolve("dense.h5");
            Run run = pinkcnn("convert", "--from", from.toString(), "--out", out.toString(), "--force");
            assertEquals(0, run.exit(), run.err());
            KerasWeights w = KerasWeights.read(out);
            assertEquals(List.of("dense"), w.layerNames());
            assertEquals(List.of("kernel:0", "bias:0"), w.weights("dense").stream().map(Weight::name).toList());
            assertArrayEquals(new float[] {-1f, -0.5f, 0f, 0.5f, 1f, 1.5f}, w.weight("dense", "kernel:0").data());
            assertArrayEquals(new float[] {1f, -2f}, w.weight("dense", "bias:0").data());
        }
    }

    @Test
    void cutsAKerasFile() throws IOException {
        Path out = tmp.resolve("stem.h5");
        Run run = pinkcnn("convert", "--from", SharedData.mobilenetV2Weights().toString(), "--out", out.toString(),
                "--until", "Conv1_relu");
        assertEquals(0, run.exit(), run.err());
        assertEquals(List.of("input_1", "Conv1_pad", "Conv1", "bn_Conv1", "Conv1_relu"),
                KerasWeights.read(out).layerNames());
    }

    @Test
    void refusesToOverwriteWithoutForce() throws IOException {
        Path source = SharedData.mobilenetV2Weights();
        Path out = tmp.resolve("existing.h5");
        Files.writeString(out, "keep me");
        Run run = pinkcnn("convert", "--from", source.toString(), "--out", out.toString());
        assertEquals(2, run.exit());
        assertEquals("pinkcnn convert: " + out + " exists; add --force to overwrite it", run.err().strip());
        assertEquals("keep me", Files.readString(out));

        run = pinkcnn("convert", "--from", source.toString(), "--out", out.toString(), "--force");
        assertEquals(0, run.exit(), run.err());
        assertEquals(155, KerasWeights.read(out).layerNames().size());
    }

    @Test
    void badInputIsRefusedBeforeAnythingIsWritten() throws IOException {
        Path out = tmp.resolve("out.h5");
        Files.writeString(out, "keep me");

        Path garbageTgz = tmp.resolve("garbage.tgz");
        Files.writeString(garbageTgz, "not gzip");
        Path notHdf5 = tmp.resolve("weights.h5");
        Files.writeString(notHdf5, "not hdf5");
        Path json = tmp.resolve("model.json");
        Files.writeString(json, "{\"modelTopology\": {\"model_config\": {\"config\": {\"layers\": []}}}}");

        Map<String[], String> cases = new java.util.LinkedHashMap<>();
        cases.put(new String[] {"--from", tmp.resolve("absent").toString()}, "absent: no such file or folder");
        cases.put(new String[] {"--from", garbageTgz.toString()}, "garbage.tgz: not a gzip file");
        cases.put(new String[] {"--from", notHdf5.toString()}, "weights.h5: not an HDF5 file");
        cases.put(new String[] {"--from", json.toString()}, "model.json: the topology has no layers");
        Path emptyFolder = Files.createDirectory(tmp.resolve("empty"));
        cases.put(new String[] {"--from", emptyFolder.toString()}, "no TF.js model in it");
        cases.put(new String[] {"--from", "npm:--registry=evil"}, "is not an npm package spec");
        cases.put(new String[] {"--from", SharedData.mobilenetV2Weights().toString(), "--until", "predictions"},
                "has no layer named 'predictions'");
        for (Map.Entry<String[], String> c : cases.entrySet()) {
            String[] args = concat(new String[] {"convert", "--out", out.toString(), "--force"}, c.getKey());
            Run run = pinkcnn(args);
            assertEquals(2, run.exit(), Arrays.toString(args) + ": " + run.err());
            assertTrue(run.err().contains(c.getValue()), run.err());
            assertFalse(run.err().contains("Exception"), "a one-line message, no stack trace: " + run.err());
            assertEquals("keep me", Files.readString(out), "left untouched by " + Arrays.toString(args));
        }
        try (var files = Files.list(tmp)) {
            assertFalse(files.anyMatch(p -> p.getFileName().toString().endsWith(".tmp")), "no temporary files left");
        }

        Run run = pinkcnn("convert", "--from", SharedData.mobilenetV2Weights().toString(),
                "--out", tmp.resolve("no/such/folder/w.h5").toString());
        assertEquals(2, run.exit());
        assertTrue(run.err().contains("does not exist"), run.err());
    }

    @Test
    void aTruncatedTarballIsRefused() throws IOException {
        Path tgz = NsfwjsTarball.require();
        Path cut = tmp.resolve("cut.tgz");
        byte[] head = new byte[1 << 20];
        try (var in = Files.newInputStream(tgz)) {
            head = in.readNBytes(head.length);
        }
        Files.write(cut, head);
        Path out = tmp.resolve("out.h5");
        Run run = pinkcnn("convert", "--from", cut.toString(), "--out", out.toString());
        assertEquals(2, run.exit());
        assertTrue(run.err().contains("cut.tgz") && run.err().contains("truncated")
                || run.err().contains("Unexpected end of ZLIB input stream"), run.err());
        assertFalse(Files.exists(out));
    }

    /** Same layers in the same order, same weight names, shapes and float32 values, bit for bit. */
    static void assertEqualValues(KerasWeights expected, KerasWeights actual) {
        assertEquals(expected.layerNames(), actual.layerNames());
        for (String layer : expected.layerNames()) {
            List<Weight> a = expected.weights(layer);
            List<Weight> b = actual.weights(layer);
            assertEquals(a.stream().map(Weight::name).toList(), b.stream().map(Weight::name).toList(), layer);
            for (int i = 0; i < a.size(); i++) {
                assertArrayEquals(a.get(i).shape(), b.get(i).shape(), layer);
                assertArrayEquals(a.get(i).data(), b.get(i).data(), layer + "/" + a.get(i).name());
            }
        }
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
