package pinkcnn.trainer.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckCommandTest {

    @TempDir
    Path dir;

    @Test
    void reportsShapesCountsStatisticsAndWritesAContactSheet() throws Exception {
        // 5 images of class "dark" (all 10), 3 of class "light" (all 200, blue 50).
        int s = 8;
        List<byte[]> images = new java.util.ArrayList<>();
        int[] labels = {0, 1, 0, 0, 1, 0, 1, 0};
        for (int label : labels) {
            byte[] img = new byte[s * s * 3];
            for (int i = 0; i < img.length; i++) img[i] = (byte) (label == 0 ? 10 : (i % 3 == 2 ? 50 : 200));
            images.add(img);
        }
        Path file = dir.resolve("test.h5");
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            DatasetWriter.write(file, new DatasetWriter.SplitSpec("test", List.of("dark", "light"), labels, s, s, Map.of()),
                    images.iterator(), pool);
        } finally {
            pool.shutdownNow();
        }

        Cli run = Cli.run(new CheckCommand(), file.toString(), "--per-class", "4", "--tile", "16");
        assertEquals(0, run.exitCode(), run.err());
        String out = run.out();
        assertTrue(out.matches("(?s).*test_set_x\\s+uint8\\s+8×8×8×3\\s+chunked 1×8×8×3, deflate.*"), out);
        assertTrue(out.matches("(?s).*test_set_y\\s+int64\\s+8\\s.*"), out);
        assertTrue(out.matches("(?s).*0\\s+dark\\s+5\\s+62.5%.*"), out);
        assertTrue(out.matches("(?s).*1\\s+light\\s+3\\s+37.5%.*"), out);
        // Red: 5/8 of the pixels are 10, 3/8 are 200 → mean 81.25; blue: 5/8·10 + 3/8·50 = 25.
        assertTrue(out.matches("(?s).*R\\s+81\\.25\\s+\\d+\\.\\d+\\s+10\\s+200.*"), out);
        assertTrue(out.matches("(?s).*B\\s+25\\.00\\s+\\d+\\.\\d+\\s+10\\s+50.*"), out);

        Path sheet = dir.resolve("test-samples.png");
        assertTrue(Files.exists(sheet), out);
        BufferedImage png = ImageIO.read(sheet.toFile());
        assertTrue(png.getWidth() > 4 * 16 && png.getHeight() >= 2 * 16, png.getWidth() + "×" + png.getHeight());
        // Each row holds that class's images: find a dark tile pixel in row 0 and a light one in row 1.
        assertEquals(0x0A0A0A, png.getRGB(170 + 4 + 8, 4 + 8) & 0xFFFFFF);
        assertEquals(0xC8C832, png.getRGB(170 + 4 + 8, 4 + 16 + 16 + 4 + 8) & 0xFFFFFF);
    }

    @Test
    void aMissingFileIsAUserError() {
        Cli run = Cli.run(new CheckCommand(), dir.resolve("nope.h5").toString());
        assertEquals(2, run.exitCode());
        assertTrue(run.err().contains("nope.h5: no such file"), run.err());
    }
}
