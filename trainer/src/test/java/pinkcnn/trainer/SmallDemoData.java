package pinkcnn.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static pinkcnn.trainer.MainCli.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import pinkcnn.engine.reference.SharedData;

/**
 * A small real dataset for tests that train: the first 10 demo photos of each person, prepared at 96×96 (centre crop)
 * with ×2 augmentation. Skips the calling test where ../shared has no photos or weights.
 */
public record SmallDemoData(Path raw, Path data, Path weights) {

    /** Copies the photos into {@code tmp}/raw, prepares them into {@code tmp}/data, caches under {@code tmp}/cache. */
    public static SmallDemoData prepare(Path tmp) throws IOException {
        Path lfw = SharedData.dir().resolve("datasets/lfw-demo");
        Path weights = SharedData.dir().resolve("weights/mobilenet_v2_nsfwjs_no_top.h5");
        assumeTrue(Files.isDirectory(lfw) && Files.isRegularFile(weights), "../shared photos and weights are needed");
        System.setProperty("pinkcnn.cache", tmp.resolve("cache").toString());
        Path raw = tmp.resolve("raw");
        try (Stream<Path> people = Files.list(lfw)) {
            for (Path c : people.filter(Files::isDirectory).sorted().toList()) {
                Path dst = Files.createDirectories(raw.resolve(c.getFileName().toString()));
                try (Stream<Path> photos = Files.list(c)) {
                    for (Path p : photos.sorted().limit(10).toList()) Files.copy(p, dst.resolve(p.getFileName()));
                }
            }
        }
        Path data = tmp.resolve("data");
        MainCli.Result r = cli("prepare", "--raw", raw.toString(), "--out", data.toString(), "--size", "96", "--augment", "2",
                "--crop", "center", "--no-progress");
        assertEquals(0, r.rc(), r.err());
        return new SmallDemoData(raw, data, weights);
    }
}
