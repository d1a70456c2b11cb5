package pinkcnn.trainer.cam;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import pinkcnn.trainer.data.DatasetReader;
import pinkcnn.trainer.data.RgbImage;
import pinkcnn.trainer.report.Canvas;
import pinkcnn.trainer.report.Plots;
import pinkcnn.trainer.train.FeatureExtractor;
import pinkcnn.trainer.train.Predictions;

/**
 * {@code errors.png} of a run's report: the test photos the model got wrong, most confident mistake first, each with
 * its true and predicted class, the probability and the Grad-CAM of the predicted class at the layer the head reads
 * — what the network looked at when it made the mistake. With fewer than {@value #MIN_TILES} mistakes, the least
 * confident correct photos fill the gallery up to that many.
 */
public final class ErrorGallery {
    static final int MIN_TILES = 8, MAX_TILES = 24;
    private static final int TILE = 160, GAP = 12, CAPTION = 48, TITLE = 52, COLUMNS = 6, BAR = 12;

    private ErrorGallery() {}

    /** The photos shown: mistakes by falling probability of the wrong class, then correct ones by rising confidence. */
    static List<Integer> chosen(Predictions p) {
        int[] predicted = p.predicted(), labels = p.labels();
        float[][] probs = p.probabilities();
        List<Integer> wrong = new ArrayList<>(), right = new ArrayList<>();
        for (int i = 0; i < labels.length; i++) (predicted[i] == labels[i] ? right : wrong).add(i);
        wrong.sort(Comparator.comparingDouble(i -> -probs[i][predicted[i]]));
        right.sort(Comparator.comparingDouble(i -> probs[i][labels[i]]));
        List<Integer> out = new ArrayList<>(wrong.subList(0, Math.min(MAX_TILES, wrong.size())));
        for (int i = 0; out.size() < MIN_TILES && i < right.size(); i++) out.add(right.get(i));
        return out;
    }

    /**
     * Draws the gallery of {@code data} (the test split) scored as {@code p}; returns the number of photos shown (0:
     * no test photos, nothing written).
     */
    public static int write(ClassActivationMaps cams, DatasetReader data, Predictions p, List<String> classes, Path png)
            throws IOException {
        List<Integer> shown = chosen(p);
        if (shown.isEmpty()) return 0;
        int n = shown.size(), size = data.height();
        int[] indices = shown.stream().mapToInt(Integer::intValue).toArray();
        byte[] images = new byte[n * data.imageBytes()];
        data.readImages(indices, images);
        float[] pixels = new float[images.length];
        data.readFloats(indices, pixels, FeatureExtractor.PIXEL_SCALE, FeatureExtractor.PIXEL_OFFSET);
        int[] predicted = p.predicted();
        int[][] wanted = new int[n][];
        for (int k = 0; k < n; k++) wanted[k] = new int[] {predicted[indices[k]]};
        List<ClassActivationMaps.Result> maps = cams.compute(pixels, n, cams.cut(), wanted, List.of(CamMethod.GRADCAM));

        long mistakes = shown.stream().filter(i -> predicted[i] != p.labels()[i]).count();
        long allMistakes = java.util.stream.IntStream.range(0, predicted.length).filter(i -> predicted[i] != p.labels()[i]).count();
        int cols = Math.min(COLUMNS, n), rows = (n + cols - 1) / cols;
        int width = GAP + cols * (TILE + GAP) + BAR + 70, height = TITLE + rows * (TILE + CAPTION + GAP) + GAP;
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = Canvas.white(image);
        try {
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
            String title = allMistakes == 0 ? "No test photo misclassified: the " + n + " least confident correct ones"
                    : String.format(Locale.ROOT, "Misclassified test photos: %d of %d%s", allMistakes, predicted.length,
                    mistakes < allMistakes ? " (the " + mistakes + " most confident shown)"
                            : n > mistakes ? ", then the least confident correct ones" : "");
            g.drawString(title, GAP, 20);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            g.drawString("Overlay: Grad-CAM of the predicted class at " + cams.cut() + ", each map scaled to its maximum",
                    GAP, 40);
            for (int k = 0; k < n; k++) {
                ClassActivationMaps.Result r = maps.get(k);
                int i = indices[k], x = GAP + (k % cols) * (TILE + GAP), y = TITLE + (k / cols) * (TILE + CAPTION + GAP);
                byte[] rgb = java.util.Arrays.copyOfRange(images, k * data.imageBytes(), (k + 1) * data.imageBytes());
                float[] map = r.maps().get(CamMethod.GRADCAM);
                g.drawImage(CamFigure.overlay(new RgbImage(size, size, rgb), TILE, TILE, new double[] {0, 0, size, size},
                        map, r.height(), r.width(), CamFigure.max(map)), x, y, null);
                boolean wrong = predicted[i] != p.labels()[i];
                g.setColor(wrong ? new Color(0xD62728) : new Color(0x2CA02C));
                g.setStroke(new BasicStroke(3f));
                g.drawRect(x - 1, y - 1, TILE + 1, TILE + 1);
                g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
                FontMetrics fm = g.getFontMetrics();
                g.setColor(Color.BLACK);
                g.drawString(fit("true: " + classes.get(p.labels()[i]), fm), x, y + TILE + 14);
                g.setColor(wrong ? new Color(0xB0161B) : new Color(0x1B7A1B));
                g.drawString(fit((wrong ? "called: " : "correct: ") + classes.get(predicted[i]), fm), x, y + TILE + 28);
                g.drawString(String.format(Locale.ROOT, "p = %.0f %%", 100 * p.probabilities()[i][predicted[i]]), x, y + TILE + 42);
            }
            CamFigure.COLOURS.drawBar(g, GAP + cols * (TILE + GAP), TITLE, BAR, TILE, "max", null, "0");
        } catch (RuntimeException | Error e) {
            throw Plots.drawingFailed(png, e);
        } finally {
            g.dispose();
        }
        Plots.writePng(image, png);
        return n;
    }

    private static String fit(String s, FontMetrics fm) {
        if (fm.stringWidth(s) <= TILE) return s;
        int n = s.length();
        while (n > 1 && fm.stringWidth(s.substring(0, n) + "…") > TILE) n--;
        return s.substring(0, n) + "…";
    }
}
