package pinkcnn.trainer.report;

import pinkcnn.engine.io.AtomicFiles;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import pinkcnn.trainer.UserError;

/**
 * The results of a run: metrics per named split ("train", "dev", "test", …), baselines to compare with, the settings
 * that produced it and how long the steps took. Written as {@code report.json} (for programs; read back with
 * {@link #read}) and {@code report.md} (for people).
 *
 * <p>Every report starts with {@link Baseline#ORIGINAL_KERAS_PROJECT}, so the published figures always appear beside
 * ours. Build one with the chainable methods:
 * <pre>{@code
 * Report report = new Report("runs/faces")
 *         .split("dev", ClassificationMetrics.fromProbabilities(devLabels, devProbs, classes))
 *         .split("test", ClassificationMetrics.fromProbabilities(testLabels, testProbs, classes))
 *         .baseline(Baseline.measured("raw-pixel linear", null, pixelDev, pixelTest, "logistic regression on pixels"))
 *         .settings(options)
 *         .timing("training", 41.2);
 * Plots.curves(MetricsCsv.read(run.resolve(MetricsCsv.FILE_NAME)), run.resolve(Plots.CURVES_FILE));
 * Plots.confusion(report.detailSplit(), report.detailSplitName(), run.resolve(Plots.CONFUSION_FILE));
 * report.write(run);               // report.json and report.md, linking the plots found in the folder
 * report.printSummary(out);        // the compact table
 * }</pre>
 */
public final class Report {

    public static final String JSON_FILE = "report.json";
    public static final String MARKDOWN_FILE = "report.md";
    /** Top-level keys of report.json that are not splits. */
    static final Set<String> RESERVED_KEYS = Set.of("title", "created", "baselines", "settings", "timings_seconds");

    private final String title;
    private final Instant created;
    private final Map<String, ClassificationMetrics> splits = new LinkedHashMap<>();
    private final Map<String, Baseline> baselines = new LinkedHashMap<>();
    private final Map<String, Object> settings = new LinkedHashMap<>();
    private final Map<String, Double> timings = new LinkedHashMap<>();

    /** A new report titled e.g. with the run folder, created now, with the original project's figures as a baseline. */
    public Report(String title) {
        this(title, Instant.now().truncatedTo(ChronoUnit.SECONDS));
        baseline(Baseline.ORIGINAL_KERAS_PROJECT);
    }

    Report(String title, Instant created) {
        this.title = title == null ? "" : title;
        this.created = created;
    }

    /** Adds (or replaces) the metrics of a split; splits keep the order they were first added in. */
    public Report split(String name, ClassificationMetrics metrics) {
        if (name == null || name.isBlank() || RESERVED_KEYS.contains(name)) {
            throw new IllegalArgumentException("not a usable split name: \"" + name + "\"");
        }
        splits.put(name, metrics);
        return this;
    }

    /** Adds (or replaces, by name) a baseline. */
    public Report baseline(Baseline baseline) {
        baselines.put(baseline.name(), baseline);
        return this;
    }

    /**
     * Adds run settings: a map of option name → value (strings, numbers, booleans, lists or maps of those), or an
     * object whose public fields or getters are the options (such as the run's configuration).
     */
    public Report settings(Object options) {
        if (!(ReportJson.plain(options) instanceof Map<?, ?> map)) {
            throw new IllegalArgumentException("settings must be a map or an object with fields, not " + options);
        }
        map.forEach((k, v) -> setting(String.valueOf(k), v));
        return this;
    }

    public Report setting(String name, Object value) {
        settings.put(name, ReportJson.plain(value));
        return this;
    }

    /** Records how long a step took, e.g. {@code timing("features", 12.5)}. */
    public Report timing(String step, double seconds) {
        timings.put(step, seconds);
        return this;
    }

    public String title() {
        return title;
    }

    /** When the report was made (null when a file read back did not say). */
    public Instant created() {
        return created;
    }

    public Map<String, ClassificationMetrics> splits() {
        return Collections.unmodifiableMap(splits);
    }

    /** The metrics of a split, or null when there are none. */
    public ClassificationMetrics metrics(String split) {
        return splits.get(split);
    }

    /** The baselines in the order added, except that the original project's published figures come last. */
    public List<Baseline> baselines() {
        List<Baseline> out = new ArrayList<>(baselines.values());
        String published = Baseline.ORIGINAL_KERAS_PROJECT.name();
        out.sort(java.util.Comparator.comparing(b -> b.name().equals(published)));
        return List.copyOf(out);
    }

    public Map<String, Object> settings() {
        return Collections.unmodifiableMap(settings);
    }

    public Map<String, Double> timings() {
        return Collections.unmodifiableMap(timings);
    }

    /** The split shown in detail (per class, confusion matrix): "test" when there is one, else the last added. */
    public String detailSplitName() {
        if (splits.isEmpty()) return null;
        if (splits.containsKey("test")) return "test";
        return new ArrayList<>(splits.keySet()).get(splits.size() - 1);
    }

    public ClassificationMetrics detailSplit() {
        String name = detailSplitName();
        return name == null ? null : splits.get(name);
    }

    /** Writes report.json and report.md into {@code runDir} (atomically); report.md links the plots already there. */
    public void write(Path runDir) throws IOException {
        Files.createDirectories(runDir);
        writeJson(runDir.resolve(JSON_FILE));
        boolean curves = Files.exists(runDir.resolve(Plots.CURVES_FILE));
        boolean confusion = Files.exists(runDir.resolve(Plots.CONFUSION_FILE));
        boolean errors = Files.exists(runDir.resolve(Plots.ERRORS_FILE));
        AtomicFiles.writeString(runDir.resolve(MARKDOWN_FILE), ReportMarkdown.render(this, curves, confusion, errors));
    }

    public void writeJson(Path file) throws IOException {
        AtomicFiles.writeString(file, ReportJson.write(this));
    }

    /** The Markdown text, without links to plots. */
    public String toMarkdown() {
        return ReportMarkdown.render(this, false, false, false);
    }

    /**
     * Reads a report.json (or the one in a run folder given instead).
     *
     * @throws UserError naming the file when it is missing or not a report
     */
    public static Report read(Path file) throws IOException {
        Path json = Files.isDirectory(file) ? file.resolve(JSON_FILE) : file;
        if (!Files.exists(json)) throw new UserError(json + ": no such file");
        return ReportJson.read(json);
    }

    /** The compact result table for the console: accuracy and macro-F1 per split, then accuracies beside the baselines. */
    public String summaryTable() {
        TextTable results = new TextTable("split", "samples", "accuracy", "macro-F1");
        for (var e : splits.entrySet()) {
            ClassificationMetrics m = e.getValue();
            results.row(e.getKey(), Integer.toString(m.samples()), Format.percent(m.accuracy()), Format.decimal3(m.macroF1()));
        }
        return results.plain("  ") + "\n" + comparison().plain("  ");
    }

    public void printSummary(PrintWriter out) {
        out.print(summaryTable());
        out.flush();
    }

    /** Accuracy on train/dev/test of this run and of each baseline. */
    TextTable comparison() {
        TextTable t = new TextTable("accuracy", "train", "dev", "test");
        t.row("this run", Format.percent(accuracy("train")), Format.percent(accuracy("dev")), Format.percent(accuracy("test")));
        for (Baseline b : baselines()) {
            t.row(b.name(), Format.percent(b.trainAccuracy()), Format.percent(b.devAccuracy()), Format.percent(b.testAccuracy()));
        }
        return t;
    }

    private double accuracy(String split) {
        ClassificationMetrics m = splits.get(split);
        return m == null ? Double.NaN : m.accuracy();
    }
}
