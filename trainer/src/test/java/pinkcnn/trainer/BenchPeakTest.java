package pinkcnn.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import pinkcnn.trainer.report.RooflinePlot;

/**
 * {@code pinkcnn bench --op peak} (the measured fp32 peak and copy bandwidth that {@code %peak} divides by) and
 * {@code --roofline FILE.png}.
 */
class BenchPeakTest {
    /** What the bench measures and stores (peaks) goes into the tests' own cache folder. */
    @RegisterExtension
    static final OwnCache CACHE = new OwnCache();

    private static JsonNode json(String... args) throws Exception {
        BenchRun r = BenchRun.of(args);
        assertEquals(0, r.rc(), r.err() + r.out());
        return new ObjectMapper().readTree(r.out());
    }

    private static boolean positive(JsonNode v) {
        return v != null && v.isNumber() && v.asDouble() > 0 && Double.isFinite(v.asDouble());
    }

    @Test
    void cpuPeakBoundsTheGemm() throws Exception {
        JsonNode all = json("bench", "--device", "cpu", "--threads", "2", "--op", "peak,gemm", "--json", "--min-time", "0.2");
        JsonNode peaks = all.get("peaks");
        assertEquals(2, peaks.size(), "1 and 2 threads: " + all);
        for (JsonNode p : peaks) assertTrue(positive(p.get("gflops")) && positive(p.get("copy_gbps")), p.toString());
        double peak = peaks.get(1).get("gflops").asDouble();
        assertEquals(2, peaks.get(1).get("threads").asInt());
        JsonNode gemm = all.get("results").get(0);
        assertEquals("gemm", gemm.get("op").asText());
        // a GEMM cannot beat the FMA peak; a margin for a machine whose load changed between the two measurements
        assertTrue(gemm.get("gflops").asDouble() <= 1.3 * peak, gemm + " against a peak of " + peak);
        assertEquals(gemm.get("gflops").asDouble() / peak, gemm.get("peak_fraction").asDouble(), 1e-9);
        assertEquals("measured", all.get("peak_used").get("source").asText());
        assertTrue(Files.isRegularFile(OwnCache.dir().resolve("peaks.json")), "kept for later runs");

        // a later run divides by the stored figure and says which
        BenchRun text = BenchRun.of("bench", "--device", "cpu", "--threads", "2", "--op", "depthwise", "--min-time", "0.01");
        assertEquals(0, text.rc(), text.err());
        assertTrue(text.out().contains("%peak of ") && text.out().contains("measured on this device with 2 threads"), text.out());
        // given explicitly, the figure is the one given
        JsonNode given = json("bench", "--device", "cpu", "--op", "depthwise", "--peak-gflops", "100", "--json", "--min-time", "0.01");
        assertEquals("--peak-gflops", given.get("peak_used").get("source").asText());
    }

    @Test
    void openClPeak() throws Exception {
        DeviceOptionTest.requireOpenCl();
        JsonNode peaks = json("bench", "--device", "opencl", "--op", "peak", "--json").get("peaks");
        assertEquals(1, peaks.size(), "the device's own thread count: " + peaks);
        assertTrue(positive(peaks.get(0).get("gflops")) && positive(peaks.get(0).get("copy_gbps")), peaks.toString());
    }

    @Test
    void rooflineIsAPngWithEveryPointsIntensity(@TempDir Path tmp) throws Exception {
        Path png = tmp.resolve("roofline.png");
        JsonNode all = json("bench", "--device", "cpu", "--op", "gemm,depthwise,pool,channel", "--roofline", png.toString(),
                "--json", "--min-time", "0.01");
        BufferedImage image = ImageIO.read(png.toFile());
        assertEquals(RooflinePlot.WIDTH, image.getWidth());
        assertEquals(RooflinePlot.HEIGHT, image.getHeight());
        int points = 0;
        for (JsonNode r : all.get("results")) {
            if (r.get("gflops").asDouble() > 0) {
                points++;
                assertTrue(positive(r.get("intensity")), r.toString());
                assertEquals(r.get("gflops").asDouble() / r.get("gbps").asDouble(), r.get("intensity").asDouble(),
                        1e-6 * r.get("intensity").asDouble(), "intensity = flops / bytes: " + r);
            }
        }
        assertEquals(1 + 3 + 3 + 2, points, all.toString());
        JsonNode roof = all.get("roofline");
        assertEquals(points, roof.get("points").asInt(), roof.toString());
        assertTrue(positive(roof.get("peak_gflops")) && positive(roof.get("bandwidth_gbps")), roof.toString());
    }

    @Test
    void rooflineWithTheModelsLayers(@TempDir Path tmp) throws Exception {
        Path png = tmp.resolve("model.png");
        JsonNode all = json("bench", "--model", "mobilenetv2", "--input-size", "64", "--device", "cpu", "--op", "gemm",
                "--roofline", png.toString(), "--json", "--min-time", "0.01");
        assertTrue(Files.size(png) > 1000);
        // one row per step the pass runs: the stem (its padding folded in), 17 blocks each run as one call, Conv_1
        JsonNode layers = all.get("layers");
        assertEquals(19, layers.size(), layers.toString());
        int blocks = 0;
        for (JsonNode l : layers) {
            assertTrue(l.has("intensity") && l.get("ms").asDouble() > 0, l.toString());
            if (l.get("kind").asText().equals("block")) {
                blocks++;
                // flops over the block's input, output and weights (at 64x64 the late blocks are mostly weights)
                assertTrue(l.get("intensity").asDouble() > 1, l.toString());
            }
        }
        assertEquals(17, blocks, layers.toString());
        JsonNode block1 = layers.get(2);
        assertEquals("block_1_expand", block1.get("layer").asText(), layers.toString());
        // expand 16->96 on 32x32, depthwise 3x3 stride 2 to 16x16, project 96->24
        assertEquals(2.0 * (32 * 32 * 16 * 96 + 16 * 16 * 96 * 9 + 16 * 16 * 96 * 24), block1.get("flops").asDouble(), 1e-6);
        assertTrue(all.get("roofline").get("points").asInt() >= 19, all.get("roofline").toString());
    }

    @Test
    void rooflineWhereItCannotBeWrittenIsAOneLineError(@TempDir Path tmp) throws Exception {
        Path file = Files.writeString(tmp.resolve("a-file"), "x");
        for (Path bad : new Path[] {tmp.resolve("missing/roofline.png"), file.resolve("roofline.png"), tmp}) {
            BenchRun r = BenchRun.of("bench", "--device", "cpu", "--op", "gemm", "--roofline", bad.toString());
            assertEquals(2, r.rc(), bad + ": " + r.out());
            assertTrue(r.oneLineError() && r.err().contains(bad.toString()), r.err());
            assertTrue(r.out().isBlank(), "nothing timed before the error: " + r.out());
        }
    }
}
