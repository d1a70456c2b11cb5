package pinkcnn.trainer.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pinkcnn.engine.io.KerasWeights;
import pinkcnn.engine.io.WeightFileException;
import pinkcnn.engine.testing.Fuzzer;
import pinkcnn.trainer.MainCli;
import pinkcnn.trainer.UserError;

/**
 * Mutated npm package tarballs holding a TF.js layers model, mutated three ways (the tar bytes, the gzip bytes, the
 * model.json text), through {@link WeightSources} and, for a sample, {@code pinkcnn convert}: each converts or is
 * refused with one line naming the archive. Counts in docs/robustness.md.
 */
class NpmArchiveFuzzTest {

    static final int TAR_INPUTS = 300;
    static final int GZIP_INPUTS = 150;
    static final int JSON_INPUTS = 300;
    static final int CONVERT_INPUTS = 25;

    private static final String FOLDER = "package/dist/models/m/";

    /** Keras layers of three kinds, weights float32 and quantized (uint8, float16, uint16), in one shard. */
    static final String MODEL_JSON = """
            {"format": "layers-model", "modelTopology": {"keras_version": "2.2.4", "backend": "tensorflow",
              "model_config": {"class_name": "Model", "config": {"name": "m", "layers": [
                {"name": "input_1", "class_name": "InputLayer", "config": {"name": "input_1", "batch_input_shape": [null, 8, 8, 2]}},
                {"name": "conv", "class_name": "Conv2D", "config": {"name": "conv"}},
                {"name": "bn", "class_name": "BatchNormalization", "config": {"name": "bn"}},
                {"name": "dense", "class_name": "Dense", "config": {"name": "dense"}}]}}},
             "weightsManifest": [{"paths": ["SHARD"], "weights": [
               {"name": "conv/kernel", "shape": [1, 1, 2, 3], "dtype": "float32"},
               {"name": "conv/bias", "shape": [3], "dtype": "float32", "quantization": {"dtype": "uint8", "scale": 0.5, "min": -2}},
               {"name": "bn/gamma", "shape": [3], "dtype": "float32", "quantization": {"dtype": "float16"}},
               {"name": "dense/kernel", "shape": [3, 2], "dtype": "float32",
                "quantization": {"dtype": "uint16", "scale": 0.25, "min": 1}}]}]}
            """;

    @TempDir
    Path tmp;

    static byte[] shard() {
        ByteBuffer b = ByteBuffer.allocate(6 * 4 + 3 + 3 * 2 + 6 * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : new float[] {0.5f, -1.25f, 3f, 1e-3f, -7f, 2f}) b.putFloat(f);
        b.put(new byte[] {0, 4, (byte) 255});
        for (int h : new int[] {0x3C00, 0xC000, 0x3555}) b.putShort((short) h);
        for (int q : new int[] {0, 1, 2, 3, 4, 65535}) b.putShort((short) q);
        return b.array();
    }

    /**
     * The tarball npm pack would make of a package with the model as model.json and a binary shard (named in a pax
     * header, as tar names long paths).
     */
    static TarWriter jsonPackage(String modelJson) {
        return new TarWriter()
                .file("package/package.json", "{\"name\": \"m\", \"version\": \"1.0.0\"}".getBytes(StandardCharsets.UTF_8))
                .file(FOLDER + "model.json", modelJson.replace("SHARD", "group1-shard1of1.bin").getBytes(StandardCharsets.UTF_8))
                .paxFile(FOLDER + "group1-shard1of1.bin", shard());
    }

    /** The same model wrapped in JavaScript modules, as nsfwjs ships its models. */
    static TarWriter jsPackage() {
        String model = "!function(e){\"object\"==typeof exports&&(module.exports=e())}(function(){return 0});module.exports="
                + MODEL_JSON.replace("SHARD", "group1-shard1of1").strip() + ";";
        String shard = "module.exports=\"" + Base64.getEncoder().encodeToString(shard()) + "\";";
        return new TarWriter()
                .file("package/package.json", "{\"name\": \"m\"}".getBytes(StandardCharsets.UTF_8))
                .file(FOLDER + "model.min.js", model.getBytes(StandardCharsets.UTF_8))
                .file(FOLDER + "group1-shard1of1.min.js", shard.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] gunzip(byte[] tgz) {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(tgz))) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] gzip(byte[] tar) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(tar);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private Fuzzer.Target convertsOrIsRefused(Path tgz) {
        return m -> {
            Files.write(tgz, m.bytes());
            WeightSources.Read read = WeightSources.read(tgz.toString(), null, new PrintWriter(new StringWriter()));
            KerasWeights w = read.weights();
            w.parameterCount();
        };
    }

    private Fuzzer archives(String reader, List<byte[]> seeds, long seed, Path tgz) {
        return Fuzzer.of(reader, seeds, seed)
                .refusals(IOException.class, UserError.class)
                .messages((m, e) -> e.getMessage().contains(tgz.toString()) ? null : "the message does not name the archive");
    }

    @Test
    void mutatedTarEntriesConvertOrAreRefusedInOneLine() {
        Path tgz = tmp.resolve("package.tgz");
        List<byte[]> tars = List.of(gunzip(jsonPackage(MODEL_JSON).tgz()), gunzip(jsPackage().tgz()));
        archives("npm .tgz (tar bytes)", tars, 0x5EED_0009L, tgz).finish(NpmArchiveFuzzTest::gzip)
                .run(TAR_INPUTS, convertsOrIsRefused(tgz));
    }

    @Test
    void mutatedGzipStreamsConvertOrAreRefusedInOneLine() {
        Path tgz = tmp.resolve("package.tgz");
        archives("npm .tgz (gzip bytes)", List.of(jsonPackage(MODEL_JSON).tgz(), jsPackage().tgz()), 0x5EED_000AL, tgz)
                .run(GZIP_INPUTS, convertsOrIsRefused(tgz));
    }

    @Test
    void mutatedModelJsonConvertsOrIsRefusedInOneLine() {
        Path tgz = tmp.resolve("package.tgz");
        archives("npm .tgz (model.json text)", List.of(MODEL_JSON.getBytes(StandardCharsets.UTF_8)), 0x5EED_000BL, tgz)
                .text()
                .finish(json -> jsonPackage(new String(json, StandardCharsets.UTF_8)).tgz())
                .run(JSON_INPUTS, convertsOrIsRefused(tgz));
    }

    @Test
    void aDeeplyNestedModelJsonIsRefused() throws Exception {
        Path tgz = Files.write(tmp.resolve("nested.tgz"), jsonPackage("[".repeat(200_000)).tgz());
        WeightFileException e = assertThrows(WeightFileException.class,
                () -> WeightSources.read(tgz.toString(), null, new PrintWriter(new StringWriter())));
        assertTrue(e.getMessage().startsWith(tgz + " (package/dist/models/m): package/dist/models/m/model.json is not JSON: nested deeper than"),
                e.getMessage());
    }

    @Test
    void convertWritesOrRefusesEachMutatedArchive() throws Exception {
        Path work = Files.createDirectories(tmp.resolve("work"));
        Path tgz = work.resolve("package.tgz"), out = work.resolve("out.h5");
        List<byte[]> tars = List.of(gunzip(jsonPackage(MODEL_JSON).tgz()), gunzip(jsPackage().tgz()));
        Fuzzer fuzzer = Fuzzer.of("npm .tgz (pinkcnn convert)", tars, 0x5EED_000CL).finish(NpmArchiveFuzzTest::gzip);
        int accepted = 0;
        for (Fuzzer.Mutant m : fuzzer.mutants(CONVERT_INPUTS)) {
            Files.write(tgz, m.bytes());
            Files.deleteIfExists(out);
            MainCli.Result r = MainCli.cli("convert", "--from", tgz.toString(), "--out", out.toString());
            String where = "input " + m.index() + " (" + m.how() + ")";
            if (r.rc() == 0) {
                accepted++;
                assertEquals(List.of("input_1", "conv", "bn", "dense"), KerasWeights.read(out).layerNames(), where);
            } else {
                assertEquals(2, r.rc(), where + ": " + r.err());
                assertTrue(r.err().startsWith("pinkcnn convert: " + tgz) && r.err().strip().lines().count() == 1,
                        where + ": not one line naming the archive: " + r.err());
            }
            try (Stream<Path> files = Files.list(work)) {
                List<String> names = files.map(p -> p.getFileName().toString()).sorted().toList();
                assertTrue(List.of("out.h5", "package.tgz").containsAll(names), where + ": wrote " + names);
            }
        }
        Fuzzer.count("npm .tgz (pinkcnn convert)", CONVERT_INPUTS, accepted);
    }
}
