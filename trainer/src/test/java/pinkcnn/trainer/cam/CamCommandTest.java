package pinkcnn.trainer.cam;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static pinkcnn.trainer.MainCli.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pinkcnn.engine.cpu.CpuBackend;
import pinkcnn.engine.io.Npy;
import pinkcnn.engine.nn.Dense;
import pinkcnn.engine.nn.Layer;
import pinkcnn.engine.nn.Parameter;
import pinkcnn.trainer.data.DatasetReader;
import pinkcnn.trainer.train.FeatureExtractor;
import pinkcnn.trainer.train.RunConfig;
import pinkcnn.trainer.train.RunFolder;
import pinkcnn.trainer.train.TrainingRun;
import pinkcnn.trainer.MainCli.Result;
import pinkcnn.trainer.SmallDemoData;

/**
 * {@code pinkcnn cam}, {@code predict --cam} and the report's errors.png through the CLI, in-process, on a small run
 * trained on a few real photos per class at 96×96 (as TrainPipelineTest makes them); and the sanity checks of
 * Adebayo et al. (NeurIPS 2018): a map must depend on the head's weights and on the class.
 */
class CamCommandTest {
    @TempDir
    static Path tmp;
    static Path run, photo, otherPhoto;
    static List<String> classes;

    @BeforeAll
    static void trainSmallRun() throws IOException {
        SmallDemoData demo = SmallDemoData.prepare(tmp);
        Path raw = demo.raw(), data = demo.data(), weights = demo.weights();
        run = tmp.resolve("run");
        Result r = cli("train", "--data", data.toString(), "--weights", weights.toString(), "--out", run.toString(),
                "--batch", "8", "--quiet", "--device", "cpu", "--epochs", "4", "--lr", "3e-3");
        assertEquals(0, r.rc(), r.err());
        classes = RunConfig.read(run.resolve("run.json")).classes;
        try (Stream<Path> s = Files.walk(raw)) {
            List<Path> all = s.filter(p -> p.toString().endsWith(".jpg")).sorted().toList();
            photo = all.get(0);
            otherPhoto = all.get(all.size() - 1);
        }
    }


    static String stem(Path p) {
        String n = p.getFileName().toString();
        return n.substring(0, n.lastIndexOf('.'));
    }

    @Test
    void writesAnOverlayAndTheRawMapPerPhotoClassAndMethod() throws IOException {
        Path out = tmp.resolve("cams");
        String other = classes.get(classes.size() - 1);
        Result r = cli("cam", "--run", run.toString(), photo.toString(), otherPhoto.toString(), "--method",
                "gradcam,gradcam++,hirescam,eigencam", "--class", "top", "--class", other, "--out", out.toString(),
                "--device", "cpu", "--quiet");
        assertEquals(0, r.rc(), r.err());
        assertTrue(r.out().contains(" maps at block_13_expand_relu in " + out), r.out());
        for (String method : List.of("gradcam", "gradcam++", "hirescam", "eigencam")) {
            Path png = out.resolve(stem(otherPhoto) + "-" + other + "-" + method + ".png");
            assertTrue(Files.isRegularFile(png), png + " missing; wrote " + r.out());
            var image = ImageIO.read(png.toFile());
            assertTrue(image.getWidth() > 500 && image.getHeight() > 256, "two panels and a colour bar");
            Npy.Array map = Npy.read(out.resolve(stem(otherPhoto) + "-" + other + "-" + method + ".npy"));
            assertArrayEquals(new int[] {6, 6}, map.shape(), "block_13_expand_relu at 96×96: the layer's resolution");
            for (float v : map.data()) assertTrue(v >= 0 && Float.isFinite(v), method + ": maps are ReLU'd");
        }
        // the first photo's map for the predicted class and for another class
        try (Stream<Path> files = Files.list(out)) {
            List<String> names = files.map(p -> p.getFileName().toString()).toList();
            // 2 photos × (top, other) × 4 methods × (png, npy); fewer where a photo's top class is the other one
            int maps = Integer.parseInt(r.out().lines().filter(l -> l.contains(" maps at ")).findFirst().orElseThrow().split(" ")[0]);
            assertEquals(2 * maps, names.size(), names.toString());
            assertTrue(maps == 16 || maps == 12, r.out());
            assertTrue(names.stream().anyMatch(n -> n.startsWith(stem(photo) + "-") && n.endsWith("-gradcam.npy")), names.toString());
        }
    }

    @Test
    void mapsOfTwoClassesDiffer() throws IOException {
        Path out = tmp.resolve("two-classes");
        Result r = cli("cam", "--run", run.toString(), photo.toString(), "--class", classes.get(0), "--class",
                classes.get(1), "--method", "gradcam,hirescam", "--out", out.toString(), "--device", "cpu");
        assertEquals(0, r.rc(), r.err());
        for (String method : List.of("gradcam", "hirescam")) {
            float[] a = Npy.read(out.resolve(stem(photo) + "-" + classes.get(0) + "-" + method + ".npy")).data();
            float[] b = Npy.read(out.resolve(stem(photo) + "-" + classes.get(1) + "-" + method + ".npy")).data();
            double diff = 0, scale = 0;
            for (int i = 0; i < a.length; i++) {
                diff = Math.max(diff, Math.abs(a[i] - b[i]));
                scale = Math.max(scale, Math.max(a[i], b[i]));
            }
            assertTrue(scale > 0 && diff > 0.05 * scale, method + ": the maps of two classes differ (max diff " + diff + " of " + scale + ")");
        }
    }

    /**
     * Adebayo et al.'s model-randomisation test: with the head's weights replaced by random ones, the Grad-CAM of the
     * same class must change: its Spearman rank correlation with the trained model's map, averaged over the test
     * photos, is below 0.5.
     */
    @Test
    void randomisingTheHeadChangesTheMap() throws IOException {
        RunConfig cfg = RunConfig.read(run.resolve("run.json"));
        try (CpuBackend cpu = new CpuBackend(2); DatasetReader test = DatasetReader.open(Path.of(cfg.data).resolve("test.h5"))) {
            TrainingRun.Loaded loaded = TrainingRun.load(new RunFolder(run), cpu);
            ClassActivationMaps cams = ClassActivationMaps.of(cpu, loaded);
            int n = test.count();
            int[] all = new int[n];
            for (int i = 0; i < n; i++) all[i] = i;
            float[] pixels = new float[n * test.imageBytes()];
            test.readFloats(all, pixels, FeatureExtractor.PIXEL_SCALE, FeatureExtractor.PIXEL_OFFSET);
            int[][] top = new int[n][];
            Arrays.fill(top, new int[] {ClassActivationMaps.TOP});
            List<ClassActivationMaps.Result> trained = cams.compute(pixels, n, cams.cut(), top, List.of(CamMethod.GRADCAM));
            int[][] same = new int[n][];
            for (int i = 0; i < n; i++) same[i] = new int[] {trained.get(i).classIndex()};

            Random rnd = new Random(12345);
            for (Layer l : loaded.model().head()) {
                if (!(l instanceof Dense)) continue;
                for (Parameter p : l.weights()) {
                    float[] w = new float[(int) p.value().size()];
                    double limit = Math.sqrt(6.0 / (p.shape()[0] + (p.shape().length > 1 ? p.shape()[1] : 0)));
                    for (int i = 0; i < w.length; i++) w[i] = (float) ((2 * rnd.nextDouble() - 1) * limit);
                    p.load(w);
                }
            }
            List<ClassActivationMaps.Result> random = cams.compute(pixels, n, cams.cut(), same, List.of(CamMethod.GRADCAM));
            double sum = 0;
            List<String> each = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                double rho = spearman(trained.get(i).maps().get(CamMethod.GRADCAM), random.get(i).maps().get(CamMethod.GRADCAM));
                sum += rho;
                each.add(String.format(Locale.ROOT, "%.2f", rho));
            }
            double mean = sum / n;
            System.out.printf(Locale.ROOT, "CamCommandTest: rank correlation trained vs randomised head: mean %.3f over %d test photos %s%n",
                    mean, n, each);
            assertTrue(mean < 0.5, "mean rank correlation " + mean + ": " + each);
        }
    }

    /** Spearman's rank correlation (ties get their mean rank); 0 when either map is constant. */
    static double spearman(float[] a, float[] b) {
        double[] ra = ranks(a), rb = ranks(b);
        double ma = Arrays.stream(ra).average().orElse(0), mb = Arrays.stream(rb).average().orElse(0);
        double cov = 0, va = 0, vb = 0;
        for (int i = 0; i < ra.length; i++) {
            cov += (ra[i] - ma) * (rb[i] - mb);
            va += (ra[i] - ma) * (ra[i] - ma);
            vb += (rb[i] - mb) * (rb[i] - mb);
        }
        return va == 0 || vb == 0 ? 0 : cov / Math.sqrt(va * vb);
    }

    private static double[] ranks(float[] v) {
        Integer[] order = new Integer[v.length];
        for (int i = 0; i < v.length; i++) order[i] = i;
        Arrays.sort(order, (x, y) -> Float.compare(v[x], v[y]));
        double[] r = new double[v.length];
        for (int i = 0; i < v.length; ) {
            int j = i;
            while (j + 1 < v.length && v[order[j + 1]] == v[order[i]]) j++;
            for (int k = i; k <= j; k++) r[order[k]] = (i + j) / 2.0;
            i = j + 1;
        }
        return r;
    }

    @Test
    void badInputGetsOneLineAndWritesNothing() throws IOException {
        Path out = tmp.resolve("nothing");
        Path broken = Files.writeString(tmp.resolve("broken.jpg"), "not a photo");
        Result corrupt = cli("cam", "--run", run.toString(), photo.toString(), broken.toString(), "--out", out.toString(), "--device", "cpu");
        assertEquals(2, corrupt.rc());
        assertOneLine(corrupt.err(), "broken.jpg");

        Result layer = cli("cam", "--run", run.toString(), photo.toString(), "--layer", "block_13_expnd_relu", "--out", out.toString(), "--device", "cpu");
        assertEquals(2, layer.rc());
        assertOneLine(layer.err(), "did you mean block_13_expand_relu");

        Result after = cli("cam", "--run", run.toString(), photo.toString(), "--layer", "out_relu", "--out", out.toString(), "--device", "cpu");
        assertEquals(2, after.rc());
        assertOneLine(after.err(), "comes after block_13_expand_relu");

        Result cls = cli("cam", "--run", run.toString(), photo.toString(), "--class", "Lisa", "--out", out.toString(), "--device", "cpu");
        assertEquals(2, cls.rc());
        assertOneLine(cls.err(), "class 'Lisa' is not in the run; its classes are " + String.join(", ", classes));

        Result method = cli("cam", "--run", run.toString(), photo.toString(), "--method", "saliency", "--out", out.toString());
        assertEquals(2, method.rc());
        assertTrue(method.err().contains("unknown method 'saliency'"), method.err());

        assertFalse(Files.exists(out), "nothing written");
    }

    private static void assertOneLine(String err, String expected) {
        assertTrue(err.contains(expected), err);
        assertEquals(1, err.strip().lines().count(), "one line: " + err);
    }

    @Test
    void listsTheLayersUpToTheCut() {
        Result r = cli("cam", "--run", run.toString(), "--list", "--device", "cpu");
        assertEquals(0, r.rc(), r.err());
        assertTrue(r.out().contains("block_13_expand_relu") && r.out().contains("the head reads this"), r.out());
        assertTrue(r.out().contains("block_12_add") && !r.out().contains("out_relu"), r.out());
    }

    @Test
    void predictWritesTheSameOverlays() throws IOException {
        Path out = tmp.resolve("predict-cams");
        Result r = cli("predict", "--run", run.toString(), "--device", "cpu", "--json", "--cam", out.toString(), photo.toString());
        assertEquals(0, r.rc(), r.err());
        JsonNode p = new ObjectMapper().readTree(r.out()).get("predictions").get(0);
        Path png = Path.of(p.get("cam").asText());
        assertEquals(out.resolve(stem(photo) + "-" + p.get("class").asText() + "-gradcam.png"), png);
        assertTrue(ImageIO.read(png.toFile()).getWidth() > 500);
        assertTrue(Files.isRegularFile(out.resolve(stem(photo) + "-" + p.get("class").asText() + "-gradcam.npy")));
    }

    @Test
    void reportShowsTheErrorGallery() throws IOException {
        assertTrue(ImageIO.read(run.resolve("errors.png").toFile()).getWidth() > 300);
        String md = Files.readString(run.resolve("report.md"));
        assertTrue(md.contains("## Mistakes (test)") && md.contains("](errors.png)"), md);
    }
}
