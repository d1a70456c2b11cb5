package pinkcnn.trainer.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlotsTest {

    @TempDir
    Path dir;

    @Test
    void curvesArePlottedForTrainAndDev() throws Exception {
        List<EpochRow> rows = new ArrayList<>();
        for (int e = 1; e <= 30; e++) {
            rows.add(new EpochRow(e, 1.4 * Math.exp(-e / 6.0), 1 - 0.8 * Math.exp(-e / 6.0), 1.2 * Math.exp(-e / 9.0) + 0.3,
                    0.9 - 0.7 * Math.exp(-e / 9.0), 2.0, 1e-3));
        }
        Path png = dir.resolve(Plots.CURVES_FILE);
        Plots.curves(rows, png);
        BufferedImage image = read(png);
        assertEquals(Plots.CURVES_WIDTH, image.getWidth());
        assertEquals(Plots.CURVES_HEIGHT, image.getHeight());
        assertTrue(colours(image).size() > 20, "lines, text and grid: many colours");
        int half = Plots.CURVES_WIDTH / 2;
        for (int panel = 0; panel < 2; panel++) {
            assertTrue(count(image, Plots.TRAIN, panel * half, half) > 100, "train line in panel " + panel);
            assertTrue(count(image, Plots.DEV, panel * half, half) > 100, "dev line in panel " + panel);
        }
    }

    @Test
    void curvesSkipNonFiniteValuesAndNeedEpochs() throws Exception {
        Path png = dir.resolve("c.png");
        Plots.curves(List.of(new EpochRow(1, 1.0, 0.5, Double.NaN, 0.4, 1, 1e-3),
                new EpochRow(2, Double.POSITIVE_INFINITY, 0.6, 0.9, 0.45, 1, 1e-3)), png);
        assertEquals(Plots.CURVES_WIDTH, read(png).getWidth());
        assertThrows(IllegalArgumentException.class, () -> Plots.curves(List.of(), png));
    }

    @Test
    void confusionIsAHeatMapOfRowShares() throws Exception {
        ClassificationMetrics m = ClassificationMetricsTest.example();   // row a: 3 1 0 0 of 4; row d: 1 0 1 0 of 2
        Path png = dir.resolve(Plots.CONFUSION_FILE);
        Plots.confusion(m, "test", png);
        BufferedImage image = read(png);
        assertEquals(Plots.confusionWidth(4), image.getWidth());
        assertEquals(Plots.confusionHeight(4), image.getHeight());
        assertTrue(colours(image).size() > 10, "cells of several shades, black and white text");

        int cell = Plots.cellSize(4);
        // A cell's corner (away from its text) has the colour of its share of the row.
        assertEquals(Plots.ramp(3 / 4.0).getRGB(), cellCorner(image, cell, 0, 0));
        assertEquals(Plots.ramp(1 / 4.0).getRGB(), cellCorner(image, cell, 0, 1));
        assertEquals(Plots.ramp(0).getRGB(), cellCorner(image, cell, 0, 3));
        assertEquals(Plots.ramp(1 / 2.0).getRGB(), cellCorner(image, cell, 3, 0));
        assertEquals(Plots.ramp(0).getRGB(), cellCorner(image, cell, 3, 3));
        assertTrue(Plots.ramp(1).getBlue() < Plots.ramp(0).getBlue() && Plots.ramp(1).getRed() < 50, "darker with more");
    }

    @Test
    void manyClassesGetSmallerCells() throws Exception {
        List<String> names = new ArrayList<>();
        for (int c = 0; c < 15; c++) names.add("person_number_" + c);
        int[] truth = new int[150], predicted = new int[150];
        for (int i = 0; i < 150; i++) {
            truth[i] = i % 15;
            predicted[i] = i % 7 == 0 ? (i + 1) % 15 : i % 15;
        }
        Path png = dir.resolve("many.png");
        Plots.confusion(ClassificationMetrics.of(truth, predicted, names), png);
        BufferedImage image = read(png);
        assertTrue(Plots.cellSize(15) < Plots.cellSize(4));
        assertEquals(Plots.confusionWidth(15), image.getWidth());
        assertEquals(Plots.confusionHeight(15), image.getHeight());
        try (var files = Files.list(dir)) {
            assertEquals(List.of(png), files.toList(), "no temporary files left behind");
        }
    }

    private static int cellCorner(BufferedImage image, int cell, int truth, int predicted) {
        return image.getRGB(Plots.CM_LEFT + predicted * cell + 3, Plots.CM_TITLE + truth * cell + 3);
    }

    private static BufferedImage read(Path png) throws Exception {
        assertTrue(Files.size(png) > 0);
        BufferedImage image = ImageIO.read(png.toFile());
        assertTrue(image != null, png + " decodes as an image");
        return image;
    }

    private static Set<Integer> colours(BufferedImage image) {
        Set<Integer> seen = new HashSet<>();
        for (int y = 0; y < image.getHeight(); y += 2) for (int x = 0; x < image.getWidth(); x += 2) seen.add(image.getRGB(x, y));
        return seen;
    }

    private static int count(BufferedImage image, Color colour, int x0, int width) {
        int n = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = x0; x < x0 + width; x++) if ((image.getRGB(x, y) & 0xFFFFFF) == (colour.getRGB() & 0xFFFFFF)) n++;
        }
        return n;
    }
}
