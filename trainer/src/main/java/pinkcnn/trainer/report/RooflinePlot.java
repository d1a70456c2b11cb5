package pinkcnn.trainer.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.Marker;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * A roofline (Williams, Waterman and Patterson, 2009) as a PNG: each kernel as a point of arithmetic intensity (flops
 * per byte moved) against the GFLOP/s it reached, on log-log axes under the two roofs of the machine — the memory roof
 * (bandwidth × intensity) and the compute roof (the fp32 peak) — which meet at the ridge point. A point far below its
 * roof leaves speed on the table; a point on the slanted roof can only go faster by moving fewer bytes. Drawn with
 * XChart; the labels are placed afterwards, beside their points where they do not overlap another label.
 */
public final class RooflinePlot {
    public static final int WIDTH = 1200, HEIGHT = 800;

    /** One point: a label ("conv1x1 56x56x144->24"), the group it is coloured by, and where it lies. */
    public record Point(String label, String group, double intensity, double gflops, boolean labelled) {}

    private static final Color ROOF = new Color(0x333333), RIDGE = new Color(0xB22222);
    private static final Color[] COLOURS = {new Color(0x1F77B4), new Color(0xFF7F0E), new Color(0x2CA02C),
            new Color(0xD62728), new Color(0x9467BD), new Color(0x8C564B), new Color(0xE377C2), new Color(0x7F7F7F),
            new Color(0xBCBD22), new Color(0x17BECF)};
    private static final Marker[] MARKERS = {SeriesMarkers.CIRCLE, SeriesMarkers.DIAMOND, SeriesMarkers.SQUARE,
            SeriesMarkers.TRIANGLE_UP, SeriesMarkers.TRIANGLE_DOWN, SeriesMarkers.CROSS};

    static {
        System.setProperty("java.awt.headless", "true");
    }

    private RooflinePlot() {}

    /**
     * Writes the roofline of {@code points} (those with a positive intensity and speed; others cannot sit on log axes)
     * under the roofs {@code peakGflops} and {@code bandwidthGbps}, as a {@value #WIDTH}×{@value #HEIGHT} PNG.
     */
    public static void write(Path png, String title, double peakGflops, double bandwidthGbps, List<Point> points)
            throws IOException {
        if (!(peakGflops > 0) || !(bandwidthGbps > 0)) throw new IllegalArgumentException("roofs must be positive");
        List<Point> shown = points.stream()
                .filter(p -> p.intensity() > 0 && p.gflops() > 0 && Double.isFinite(p.intensity()) && Double.isFinite(p.gflops()))
                .toList();
        double ridge = peakGflops / bandwidthGbps;
        double xMin = ridge, xMax = ridge, yMin = peakGflops;
        for (Point p : shown) {
            xMin = Math.min(xMin, p.intensity());
            xMax = Math.max(xMax, p.intensity());
            yMin = Math.min(yMin, p.gflops());
        }
        xMin = decadeBelow(xMin / 1.5);
        xMax = decadeAbove(xMax * 1.5);
        yMin = decadeBelow(Math.min(yMin / 1.5, bandwidthGbps * xMin));
        double yMax = decadeAbove(peakGflops * 1.6);

        BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title)
                    .xAxisTitle("arithmetic intensity (flops per byte moved)").yAxisTitle("GFLOP/s").build();
            var s = chart.getStyler();
            s.setChartBackgroundColor(Color.WHITE);
            s.setPlotBackgroundColor(Color.WHITE);
            s.setPlotBorderVisible(true);
            s.setPlotGridLinesColor(new Color(0xE4E4E4));
            s.setChartTitleBoxVisible(false);
            s.setAntiAlias(true);
            s.setXAxisLogarithmic(true);
            s.setYAxisLogarithmic(true);
            s.setXAxisMin(xMin);
            s.setXAxisMax(xMax);
            s.setYAxisMin(yMin);
            s.setYAxisMax(yMax);
            s.setLegendPosition(Styler.LegendPosition.InsideSE);
            s.setLegendBorderColor(new Color(0xBBBBBB));
            s.setMarkerSize(9);
            s.setXAxisDecimalPattern("0.###");
            s.setYAxisDecimalPattern("0.###");

            XYSeries roof = chart.addSeries(String.format(Locale.ROOT, "roofs: %.0f GFLOP/s, %.1f GB/s (measured)",
                    peakGflops, bandwidthGbps), new double[] {xMin, ridge, xMax},
                    new double[] {bandwidthGbps * xMin, peakGflops, peakGflops});
            roof.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
            roof.setMarker(SeriesMarkers.NONE);
            roof.setLineColor(ROOF);
            roof.setLineStyle(new BasicStroke(2.5f));
            XYSeries ridgePoint = chart.addSeries(String.format(Locale.ROOT, "ridge point: %.1f flops/byte", ridge),
                    new double[] {ridge}, new double[] {peakGflops});
            ridgePoint.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
            ridgePoint.setMarker(SeriesMarkers.CIRCLE);
            ridgePoint.setMarkerColor(RIDGE);

            Map<String, List<Point>> groups = new LinkedHashMap<>();
            for (Point p : shown) groups.computeIfAbsent(p.group(), k -> new ArrayList<>()).add(p);
            int i = 0;
            for (Map.Entry<String, List<Point>> e : groups.entrySet()) {
                List<Point> ps = e.getValue();
                XYSeries series = chart.addSeries(e.getKey(), ps.stream().mapToDouble(Point::intensity).toArray(),
                        ps.stream().mapToDouble(Point::gflops).toArray());
                series.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
                series.setMarker(MARKERS[i % MARKERS.length]);
                series.setMarkerColor(COLOURS[i % COLOURS.length]);
                i++;
            }
            chart.paint(g, WIDTH, HEIGHT);
            drawLabels(g, chart, shown, ridge, peakGflops);
        } catch (RuntimeException | Error e) {
            throw Plots.drawingFailed(png, e);
        } finally {
            g.dispose();
        }
        Plots.writePng(image, png);
    }

    /** Each labelled point's label to its right, else left, above or below; skipped where all four would overlap. */
    private static void drawLabels(Graphics2D g, XYChart chart, List<Point> points, double ridge, double peak) {
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        FontMetrics fm = g.getFontMetrics();
        List<Rectangle2D> taken = new ArrayList<>();
        for (Point p : points) {   // the markers themselves are taken
            double x = chart.getScreenXFromChart(p.intensity()), y = chart.getScreenYFromChart(p.gflops());
            taken.add(new Rectangle2D.Double(x - 5, y - 5, 10, 10));
        }
        double rx = chart.getScreenXFromChart(ridge), ry = chart.getScreenYFromChart(peak);
        g.setColor(RIDGE);
        String ridgeText = String.format(Locale.ROOT, "ridge %.1f flops/B", ridge);
        g.drawString(ridgeText, (float) rx + 6, (float) ry - 8);
        taken.add(new Rectangle2D.Double(rx + 6, ry - 8 - fm.getAscent(), fm.stringWidth(ridgeText), fm.getHeight()));
        g.setColor(new Color(0x222222));
        for (Point p : points) {
            if (!p.labelled()) continue;
            double x = chart.getScreenXFromChart(p.intensity()), y = chart.getScreenYFromChart(p.gflops());
            int w = fm.stringWidth(p.label()), h = fm.getAscent();
            double[][] spots = {{x + 7, y + h / 2.0 - 1}, {x - 7 - w, y + h / 2.0 - 1}, {x - w / 2.0, y - 8},
                    {x - w / 2.0, y + 8 + h}, {x + 7, y - 8}, {x + 7, y + 8 + h}};
            for (double[] spot : spots) {
                Rectangle2D r = new Rectangle2D.Double(spot[0], spot[1] - h, w, fm.getHeight());
                if (r.getMinX() < 0 || r.getMaxX() > WIDTH || taken.stream().anyMatch(t -> t.intersects(r))) continue;
                g.drawString(p.label(), (float) spot[0], (float) spot[1]);
                taken.add(r);
                break;
            }
        }
    }

    private static double decadeBelow(double v) {
        return Math.pow(10, Math.floor(Math.log10(v)));
    }

    private static double decadeAbove(double v) {
        return Math.pow(10, Math.ceil(Math.log10(v)));
    }
}
