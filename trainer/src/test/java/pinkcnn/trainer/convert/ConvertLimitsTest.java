package pinkcnn.trainer.convert;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pinkcnn.engine.io.WeightFileException;
import pinkcnn.trainer.MainCli;

/**
 * convert reads package files whole into memory: an entry whose declared size is over its limit is refused before
 * it is read, with one line naming the archive, the entry and the limit (it was an OutOfMemoryError).
 */
class ConvertLimitsTest {

    @TempDir
    Path tmp;

    private static final byte[] MODEL_JSON = """
            {"modelTopology": {"model_config": {"class_name": "Model", "config": {"layers": [
              {"name": "dense", "class_name": "Dense", "config": {"name": "dense"}}]}}},
             "weightsManifest": [{"paths": ["group1-shard1of1.bin"], "weights": [
              {"name": "dense/bias", "shape": [2], "dtype": "float32"}]}]}""".getBytes(StandardCharsets.UTF_8);

    private MainCli.Result convert(Path tgz) {
        return assertTimeoutPreemptively(Duration.ofSeconds(20),
                () -> MainCli.cli("convert", "--from", tgz.toString(), "--out", tmp.resolve("out.h5").toString()));
    }

    private void assertRefused(MainCli.Result r, String line) {
        assertEquals(2, r.rc(), r.err());
        assertEquals("pinkcnn convert: " + line + "\n", r.err());
        assertFalse(Files.exists(tmp.resolve("out.h5")));
    }

    @Test
    void aHugeModelJsonIsRefusedBeforeItIsRead() throws Exception {
        Path tgz = Files.write(tmp.resolve("huge-json.tgz"), new TarWriter()
                .entry("package/model.json", MODEL_JSON, 1_500_000_000L).tgz());
        assertRefused(convert(tgz), tgz + ": package/model.json is 1.5 GB, over the 64 MiB limit for model files (JSON and model.js)");
    }

    @Test
    void aHugeShardIsRefusedBeforeItIsRead() throws Exception {
        Path tgz = Files.write(tmp.resolve("huge-shard.tgz"), new TarWriter()
                .file("package/model.json", MODEL_JSON)
                .entry("package/group1-shard1of1.bin", new byte[8], 600_000_000L).tgz());
        assertRefused(convert(tgz), tgz + ": package/group1-shard1of1.bin is 600.0 MB, over the 512 MiB limit for weight shards");
    }

    @Test
    void anArchiveThatUnpacksToTooMuchIsRefused() throws Exception {
        // Entries convert never reads count too: inflating them takes minutes.
        Path tgz = Files.write(tmp.resolve("bomb.tgz"), new TarWriter()
                .file("package/model.json", MODEL_JSON)
                .entry("package/video.mp4", new byte[8], 5_000_000_000L).tgz());
        assertRefused(convert(tgz), tgz + ": unpacks to over 4 GiB (at package/video.mp4, 5.0 GB); not a model package");
    }

    @Test
    void theFilesReadAddUpToAtMostOneGibibyte() {
        ReadLimits limits = new ReadLimits("pkg.tgz");
        assertDoesNotThrow(() -> limits.take("package/model.json", 1 << 20));
        assertDoesNotThrow(() -> limits.take("package/group1-shard1of3.bin", 500_000_000L));
        assertDoesNotThrow(() -> limits.take("package/group1-shard2of3.bin", 500_000_000L));
        WeightFileException e = assertThrows(WeightFileException.class, () -> limits.take("package/group1-shard3of3.bin", 500_000_000L));
        assertEquals("pkg.tgz: package/group1-shard3of3.bin (500.0 MB) takes the files read past the 1 GiB limit for one model",
                e.getMessage());
    }

    @Test
    void aModelFolderIsHeldToTheSameLimits() throws Exception {
        // A sparse file: 1.5 GB declared by the file system, nothing on disk.
        Path folder = Files.createDirectories(tmp.resolve("model"));
        try (var f = new java.io.RandomAccessFile(folder.resolve("model.json").toFile(), "rw")) {
            f.setLength(1_500_000_000L);
        }
        MainCli.Result r = assertTimeoutPreemptively(Duration.ofSeconds(20),
                () -> MainCli.cli("convert", "--from", folder.toString(), "--out", tmp.resolve("out.h5").toString()));
        assertRefused(r, folder + ": model.json is 1.5 GB, over the 64 MiB limit for model files (JSON and model.js)");
        MainCli.Result direct = MainCli.cli("convert", "--from", folder.resolve("model.json").toString(),
                "--out", tmp.resolve("out.h5").toString());
        assertRefused(direct, folder + ": model.json is 1.5 GB, over the 64 MiB limit for model files (JSON and model.js)");
    }
}
