package pinkcnn.trainer.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static pinkcnn.trainer.MainCli.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import pinkcnn.engine.reference.SharedData;
import pinkcnn.trainer.data.Preprocessing;
import pinkcnn.trainer.data.UnusableImageException;
import pinkcnn.trainer.train.FeatureExtractor;
import pinkcnn.trainer.MainCli.Result;
import pinkcnn.trainer.SmallDemoData;

/** What the export tests share: the CLI run in-process, the shared photos and weights, a small prepared dataset. */
final class ExportFixtures {
    private ExportFixtures() {}


    static Path lfw() {
        Path lfw = SharedData.dir().resolve("datasets/lfw-demo");
        assumeTrue(Files.isDirectory(lfw), "../shared/datasets/lfw-demo is needed (real photos); skipped");
        return lfw;
    }

    static Path weights() {
        Path w = SharedData.dir().resolve("weights/mobilenet_v2_nsfwjs_no_top.h5");
        assumeTrue(Files.isRegularFile(w), "../shared/weights/mobilenet_v2_nsfwjs_no_top.h5 is needed; skipped");
        return w;
    }

    /** n real photos, each from another person where there are enough people (the last photo of each folder). */
    static List<Path> photos(int n) throws IOException {
        List<Path> out = new ArrayList<>();
        try (Stream<Path> people = Files.list(lfw())) {
            List<Path> dirs = people.filter(Files::isDirectory).sorted().toList();
            for (int i = 0; out.size() < n; i++) {
                try (Stream<Path> s = Files.list(dirs.get(i % dirs.size()))) {
                    List<Path> all = s.filter(p -> p.toString().endsWith(".jpg")).sorted().toList();
                    out.add(all.get(all.size() - 1 - i / dirs.size()));
                }
            }
        }
        return out;
    }

    /** The photos as pinkcnn feeds them to a model: cropped, resized (RGB bytes, N×S×S×3). */
    static byte[] pixels(List<Path> photos, Preprocessing prep) throws UnusableImageException {
        int per = prep.size() * prep.size() * 3;
        byte[] all = new byte[photos.size() * per];
        for (int i = 0; i < photos.size(); i++) System.arraycopy(prep.load(photos.get(i)), 0, all, i * per, per);
        return all;
    }

    /** The model input: pixels scaled as the engine scales them (pixel / 127.5 − 1). */
    static float[] scaled(byte[] pixels) {
        float[] x = new float[pixels.length];
        for (int i = 0; i < x.length; i++) x[i] = (pixels[i] & 0xFF) * FeatureExtractor.PIXEL_SCALE + FeatureExtractor.PIXEL_OFFSET;
        return x;
    }

    /** A prepared dataset of 10 photos per person at 96×96 ({@link SmallDemoData}). */
    static Path prepare(Path tmp) throws IOException {
        return SmallDemoData.prepare(tmp).data();
    }

    static Path train(Path data, Path out, String... extra) {
        List<String> a = new ArrayList<>(List.of("train", "--data", data.toString(), "--weights", weights().toString(),
                "--out", out.toString(), "--batch", "8", "--quiet", "--device", "cpu", "--patience", "50", "--epochs", "2"));
        a.addAll(Arrays.asList(extra));
        Result r = cli(a.toArray(String[]::new));
        assertEquals(0, r.rc(), r.err());
        return out;
    }

    /** Files left in a folder whose names mark an unfinished write. */
    static List<Path> partialFiles(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".partial")).toList();
        }
    }
}
