package pinkcnn.trainer.report;

import pinkcnn.engine.io.AtomicFiles;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;
import javax.imageio.ImageIO;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The PNG plots of a run: {@code curves.png} (loss and accuracy per epoch, train vs dev; drawn with XChart) and
 * {@code confusion.png} (the confusion matrix as a labelled heat map; drawn with Java2D). Both need a font: where
 * Java finds none they throw an IOException that says so, and write nothing.
 */
public final class Plots {

    public static final String CURVES_FILE = "curves.png";
    public static final String CONFUSION_FILE = "confusion.png";
    /** The misclassified test photos with their Grad-CAM, drawn by {@code pinkcnn.trainer.cam.ErrorGallery}. */
    public static final String ERRORS_FILE = "errors.png";

    /** curves.png is two panels side by side, each {@code CURVES_WIDTH / 2} wide. */
    public static final int CURVES_WIDTH = 1200, CURVES_HEIGHT = 480;

    static final Color TRAIN = new Color(0x1F77B4), DEV = new Color(0xFF7F0E);

    // confusion.png layout: title band, row labels on the left, column labels below, square cells
    static final int CM_TITLE = 64, CM_LEFT = 220, CM_BOTTOM = 140, CM_RIGHT = 24, CM_MIN_WIDTH = 560;
    /** Longest class label drawn, in pixels (longer ones end in "…"); slanted column labels get a little less. */
    private static final int LABEL_MAX = 180, SLANTED_MAX = 150;
    private static final double SLANT = Math.toRadians(35);

    static {
        System.setProperty("java.awt.headless", "true");
    }

    private Plots() {
    }

    /** Cell side in pixels of a confusion matrix with this many classes. */
    static int cellSize(int classes) {
        return classes <= 6 ? 100 : Math.max(28, 600 / classes);
    }

    static int confusionWidth(int classes) {
        return Math.max(CM_MIN_WIDTH, CM_LEFT + classes * cellSize(classes) + CM_RIGHT);
    }

    static int confusionHeight(int classes) {
        return CM_TITLE + classes * cellSize(classes) + CM_BOTTOM;
    }

    /**
     * Loss (left) and accuracy (right) per epoch, train and dev, as a {@value #CURVES_WIDTH}×{@value #CURVES_HEIGHT}
     * PNG. Non-finite values (a diverged loss) are left out of the lines.
     */
    public static void curves(List<EpochRow> rows, Path png) throws IOException {
        if (rows.isEmpty()) throw new IllegalArgumentException("no epochs to plot");
        BufferedImage image = new BufferedImage(CURVES_WIDTH, CURVES_HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            int half = CURVES_WIDTH / 2;
            XYChart loss = panel("Loss per epoch", "mean cross-entropy", half);
            series(loss, "train", rows, EpochRow::trainLoss, TRAIN);
            series(loss, "dev", rows, EpochRow::devLoss, DEV);
            loss.getStyler().setYAxisMin(0.0);
            XYChart accuracy = panel("Accuracy per epoch", "accuracy (%)", half);
            series(accuracy, "train", rows, r -> 100 * r.trainAccuracy(), TRAIN);
            series(accuracy, "dev", rows, r -> 100 * r.devAccuracy(), DEV);
            accuracy.getStyler().setYAxisMin(0.0);
            accuracy.getStyler().setYAxisMax(100.0);
            accuracy.getStyler().setYAxisDecimalPattern("0");
            accuracy.getStyler().setLegendPosition(Styler.LegendPosition.InsideSE);
            int first = rows.get(0).epoch(), last = rows.get(rows.size() - 1).epoch();
            if (last > first) {   // the same epoch axis on both panels, even where a series has no finite values
                for (XYChart chart : List.of(loss, accuracy)) {
                    chart.getStyler().setXAxisMin((double) first);
                    chart.getStyler().setXAxisMax((double) last);
                }
            }
            Graphics2D left = (Graphics2D) g.create(0, 0, half, CURVES_HEIGHT);
            loss.paint(left, half, CURVES_HEIGHT);
            left.dispose();
            Graphics2D right = (Graphics2D) g.create(half, 0, CURVES_WIDTH - half, CURVES_HEIGHT);
            accuracy.paint(right, CURVES_WIDTH - half, CURVES_HEIGHT);
            right.dispose();
        } catch (RuntimeException | Error e) {
            throw drawingFailed(png, e);
        } finally {
            g.dispose();
        }
        writePng(image, png);
    }

    private static XYChart panel(String title, String yTitle, int width) {
        XYChart chart = new XYChartBuilder().width(width).height(CURVES_HEIGHT).title(title)
                .xAxisTitle("epoch").yAxisTitle(yTitle).build();
        var s = chart.getStyler();
        s.setChartBackgroundColor(Color.WHITE);
        s.setPlotBackgroundColor(Color.WHITE);
        s.setPlotBorderVisible(true);
        s.setPlotGridLinesColor(new Color(0xDDDDDD));
        s.setLegendPosition(Styler.LegendPosition.InsideNE);
        s.setLegendBorderColor(new Color(0xBBBBBB));
        s.setChartTitleBoxVisible(false);
        s.setAntiAlias(true);
        s.setMarkerSize(6);
        // Epochs are whole numbers: label only the integer ticks.
        s.setxAxisTickLabelsFormattingFunction(x -> Math.abs(x - Math.rint(x)) < 1e-9
                ? Long.toString(Math.round(x)) : "");
        return chart;
    }

    private static void series(XYChart chart, String name, List<EpochRow> rows, ToDoubleFunction<EpochRow> value,
                               Color color) {
        int n = 0;
        double[] x = new double[rows.size()], y = new double[rows.size()];
        for (EpochRow r : rows) {
            double v = value.applyAsDouble(r);
            if (!Double.isFinite(v)) continue;
            x[n] = r.epoch();
            y[n++] = v;
        }
        if (n == 0) return;
        XYSeries s = chart.addSeries(name, java.util.Arrays.copyOf(x, n), java.util.Arrays.copyOf(y, n));
        s.setLineColor(color);
        s.setMarkerColor(color);
        s.setMarker(SeriesMarkers.CIRCLE);
        s.setLineStyle(new BasicStroke(2f));
    }

    /** The confusion matrix of {@code metrics} as a heat map (colour: share of the true class's row). */
    public static void confusion(ClassificationMetrics metrics, Path png) throws IOException {
        confusion(metrics, "", png);
    }

    /**
     * The confusion matrix as a heat map: rows true classes, columns predictions, each cell with its count and its
     * share of the row; the title names the split and gives the accuracy, macro-F1 and sample count.
     */
    public static void confusion(ClassificationMetrics metrics, String splitName, Path png) throws IOException {
        int k = metrics.classCount(), cell = cellSize(k);
        int width = confusionWidth(k), height = confusionHeight(k);
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = Canvas.white(image);
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            int x0 = CM_LEFT, y0 = CM_TITLE;
            drawTitle(g, metrics, splitName, x0 + k * cell / 2);
            Font countFont = new Font(Font.SANS_SERIF, Font.BOLD, Math.max(10, Math.min(22, cell / 4)));
            Font shareFont = new Font(Font.SANS_SERIF, Font.PLAIN, Math.max(9, Math.min(13, cell / 7)));
            for (int t = 0; t < k; t++) {
                int support = metrics.support(t);
                for (int p = 0; p < k; p++) {
                    int count = metrics.count(t, p);
                    double share = support == 0 ? 0 : count / (double) support;
                    int x = x0 + p * cell, y = y0 + t * cell;
                    g.setColor(ramp(share));
                    g.fillRect(x, y, cell, cell);
                    g.setColor(share > 0.5 ? Color.WHITE : Color.BLACK);
                    boolean showShare = cell >= 60 && support > 0;
                    g.setFont(countFont);
                    centered(g, Integer.toString(count), x + cell / 2, y + cell / 2 + (showShare ? -4 : 0));
                    if (showShare) {
                        g.setFont(shareFont);
                        centered(g, String.format(Locale.ROOT, "%.0f %%", 100 * share), x + cell / 2,
                                y + cell / 2 + g.getFontMetrics(countFont).getAscent() / 2 + 6);
                    }
                }
            }
            g.setColor(new Color(0x555555));
            g.setStroke(new BasicStroke(1f));
            g.drawRect(x0, y0, k * cell, k * cell);
            drawLabels(g, metrics.classNames(), x0, y0, cell);
        } catch (RuntimeException | Error e) {
            throw drawingFailed(png, e);
        } finally {
            g.dispose();
        }
        writePng(image, png);
    }

    private static void drawTitle(Graphics2D g, ClassificationMetrics m, String splitName, int centerX) {
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 17));
        centered(g, "Confusion matrix" + (splitName == null || splitName.isBlank() ? "" : " (" + splitName + ")"),
                centerX, 22);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        centered(g, String.format(Locale.ROOT, "accuracy %s  ·  macro-F1 %s  ·  %d samples",
                Format.percent(m.accuracy()), Format.decimal3(m.macroF1()), m.samples()), centerX, 44);
    }

    /**
     * Row labels (true class) to the left; column labels (predicted) below, horizontal when they all fit in a cell,
     * else slanted upwards so that each ends under its column.
     */
    private static void drawLabels(Graphics2D g, List<String> names, int x0, int y0, int cell) {
        int k = names.size();
        g.setColor(Color.BLACK);
        Font label = new Font(Font.SANS_SERIF, Font.PLAIN, cell >= 60 ? 13 : 11);
        g.setFont(label);
        FontMetrics fm = g.getFontMetrics();
        for (int t = 0; t < k; t++) {
            String s = fit(names.get(t), fm, LABEL_MAX);
            g.drawString(s, x0 - 8 - fm.stringWidth(s), y0 + t * cell + cell / 2 + fm.getAscent() / 2 - 1);
        }
        boolean horizontal = names.stream().allMatch(n -> fm.stringWidth(n) <= cell - 6);
        int yLabels = y0 + k * cell + 8;
        for (int p = 0; p < k; p++) {
            int cx = x0 + p * cell + cell / 2;
            if (horizontal) {
                centered(g, names.get(p), cx, yLabels + fm.getAscent() / 2 + 4);
            } else {
                String s = fit(names.get(p), fm, SLANTED_MAX);
                AffineTransform saved = g.getTransform();
                g.translate(cx + fm.getAscent() / 2.0, yLabels);
                g.rotate(-SLANT);
                g.drawString(s, -fm.stringWidth(s), fm.getAscent() / 2);
                g.setTransform(saved);
            }
        }
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
        FontMetrics bold = g.getFontMetrics();
        centered(g, "predicted class", x0 + k * cell / 2, y0 + k * cell + CM_BOTTOM - 14);
        AffineTransform saved = g.getTransform();
        g.translate(18, y0 + k * cell / 2.0);
        g.rotate(-Math.PI / 2);
        g.drawString("true class", -bold.stringWidth("true class") / 2, bold.getAscent() / 2);
        g.setTransform(saved);
    }

    /** The string, shortened with "…" to at most {@code max} pixels. */
    private static String fit(String s, FontMetrics fm, int max) {
        if (fm.stringWidth(s) <= max) return s;
        int n = s.length();
        while (n > 1 && fm.stringWidth(s.substring(0, n) + "…") > max) n--;
        return s.substring(0, n) + "…";
    }

    private static void centered(Graphics2D g, String s, int cx, int baselineCenter) {
        FontMetrics fm = g.getFontMetrics();
        g.drawString(s, cx - fm.stringWidth(s) / 2, baselineCenter + (fm.getAscent() - fm.getDescent()) / 2);
    }

    /** The heat map's colour of a row share {@code v} in [0, 1] (light to dark blue). */
    static Color ramp(double v) {
        return ColourMap.BLUES.colour(v);
    }

    /** Drawing fails in odd ways where Java has no fonts (NullPointerException, UnsatisfiedLinkError, Error). */
    public static IOException drawingFailed(Path png, Throwable e) {
        if (e instanceof VirtualMachineError && !(e instanceof InternalError)) throw (VirtualMachineError) e;
        return new IOException("cannot draw " + png.getFileName() + ": " + e
                + " (where Java finds no fonts, install some, e.g. the fontconfig and fonts-dejavu packages)", e);
    }

    public static void writePng(BufferedImage image, Path png) throws IOException {
        AtomicFiles.write(png, out -> {
            if (!ImageIO.write(image, "png", out)) throw new IOException("no PNG writer in this Java");
        });
    }
}
