package pinkcnn.trainer.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pinkcnn.trainer.UserError;

class ReportTest {

    @TempDir
    Path dir;

    /** dev: 3 samples of classes x, y (2 right); test: the hand-computed 4-class example. */
    static Report example() {
        ClassificationMetrics dev = ClassificationMetrics.fromProbabilities(new int[] {0, 1, 1},
                new float[][] {{0.9f, 0.1f, 0f, 0f}, {0.2f, 0.8f, 0f, 0f}, {0.6f, 0.4f, 0f, 0f}}, ClassificationMetricsTest.ABCD);
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("epochs", 20);
        settings.put("lr", 0.001);
        settings.put("data", Path.of("data", "faces"));
        settings.put("ratios", List.of(60, 20, 20));
        return new Report("runs/example")
                .split("dev", dev)
                .split("test", ClassificationMetricsTest.example())
                .baseline(new Baseline("raw-pixel linear", 0.9, 0.25, 0.3, "logistic regression on pixels"))
                .settings(settings)
                .timing("training", 125.5);
    }

    @Test
    void jsonHasTheDocumentedSchemaAndValues() throws Exception {
        Report report = example();
        report.write(dir);
        JsonNode root = new ObjectMapper().readTree(dir.resolve(Report.JSON_FILE).toFile());

        assertEquals(2 / 3.0, root.at("/dev/accuracy").asDouble(), 1e-12);
        assertEquals(report.metrics("dev").macroF1(), root.at("/dev/macro_f1").asDouble(), 1e-12);
        assertEquals(3, root.at("/dev/samples").asInt());
        assertEquals(-(Math.log(0.9f) + Math.log(0.8f) + Math.log(0.4f)) / 3, root.at("/dev/log_loss").asDouble(), 1e-9);

        assertEquals(6 / 11.0, root.at("/test/accuracy").asDouble(), 1e-12);
        assertEquals(73 / 168.0, root.at("/test/macro_f1").asDouble(), 1e-12);
        assertTrue(root.at("/test/log_loss").isNull(), "unknown figures are null");
        JsonNode b = root.at("/test/per_class/b");
        assertEquals(0.5, b.get("precision").asDouble(), 1e-12);
        assertEquals(2 / 3.0, b.get("recall").asDouble(), 1e-12);
        assertEquals(4 / 7.0, b.get("f1").asDouble(), 1e-12);
        assertEquals(3, b.get("support").asInt());
        assertEquals(List.of("a", "b", "c", "d"), names(root.at("/test/per_class")));
        assertEquals("[\"a\",\"b\",\"c\",\"d\"]", root.at("/test/confusion/classes").toString());
        assertEquals("[[3,1,0,0],[1,2,0,0],[0,1,1,0],[1,0,1,0]]", root.at("/test/confusion/matrix").toString());

        JsonNode keras = root.at("/baselines/original Keras project");
        assertEquals(0.743, keras.get("train_accuracy").asDouble(), 0);
        assertEquals(0.413, keras.get("dev_accuracy").asDouble(), 0);
        assertEquals(0.425, keras.get("test_accuracy").asDouble(), 0);
        assertEquals(0.25, root.at("/baselines/raw-pixel linear/dev_accuracy").asDouble(), 0);
        assertEquals(20, root.at("/settings/epochs").asInt());
        assertEquals(Path.of("data", "faces").toString(), root.at("/settings/data").asText(), "paths as plain text");
        assertEquals(125.5, root.at("/timings_seconds/training").asDouble(), 0);
        assertEquals("runs/example", root.get("title").asText());
        assertTrue(root.hasNonNull("created"));
    }

    @Test
    void readsBackWhatItWrote() throws Exception {
        Report report = example();
        report.write(dir);
        Report back = Report.read(dir.resolve(Report.JSON_FILE));
        assertEquals(report.splits(), back.splits());
        assertEquals(List.of("dev", "test"), List.copyOf(back.splits().keySet()));
        assertEquals(report.baselines(), back.baselines());
        assertEquals(report.timings(), back.timings());
        assertEquals(report.title(), back.title());
        assertEquals(report.created(), back.created());
        assertEquals(List.of(60, 20, 20), back.settings().get("ratios"));
        assertEquals(report.toMarkdown(), back.toMarkdown(), "the same report, so the same text");
        assertEquals(report.splits(), Report.read(dir).splits(), "a run folder works too");
    }

    @Test
    void badReportFilesAreUserErrorsNamingTheFile() throws Exception {
        Path f = dir.resolve("r.json");
        Files.writeString(f, "{ not json");
        assertUserError(f, "not valid JSON");
        Files.writeString(f, "{\"title\": \"x\"}");
        assertUserError(f, "no split results");
        Files.writeString(f, "{\"dev\": {\"accuracy\": 0.5, \"macro_f1\": 0.4}}");
        assertUserError(f, "no confusion matrix");
        Files.writeString(f, "{\"dev\": {\"confusion\": {\"classes\": [\"a\", \"b\"], \"matrix\": [[1, 2], [3]]}}}");
        assertUserError(f, "row 1");
        Files.writeString(f, "{\"dev\": {\"confusion\": {\"classes\": [\"a\", \"b\"], \"matrix\": [[1, 2], [3, 0.5]]}}}");
        assertUserError(f, "not a count");
        assertUserError(dir.resolve("missing.json"), "no such file");
    }

    private static void assertUserError(Path file, String words) {
        UserError e = assertThrows(UserError.class, () -> Report.read(file));
        assertTrue(e.getMessage().contains(file.getFileName().toString()) && e.getMessage().contains(words), e.getMessage());
    }

    @Test
    void markdownHasTheTablesAndLinksOnlyThePlotsPresent() throws Exception {
        Report report = example();
        report.write(dir);
        String md = Files.readString(dir.resolve(Report.MARKDOWN_FILE));
        assertTrue(md.startsWith("# pinkcnn report: runs/example\n"), md);
        assertTrue(md.contains("| dev | 3 | 66.7 % | "), md);
        assertTrue(md.contains("| test | 11 | 54.5 % | 0.435 | — |"), md);
        assertTrue(md.contains("| this run | — | 66.7 % | 54.5 % |"), md);
        assertTrue(md.contains("| raw-pixel linear | 90.0 % | 25.0 % | 30.0 % |"), md);
        assertTrue(md.contains("| original Keras project | 74.3 % | 41.3 % | 42.5 % |"), md);
        assertTrue(md.indexOf("| raw-pixel linear") < md.indexOf("| original Keras project"), "published figures last");
        assertTrue(md.contains("## Per class (test)"), md);
        assertTrue(md.contains("| b | 0.500 | 0.667 | 0.571 | 3 |"), md);
        assertTrue(md.contains("| d | 0.000 | 0.000 | 0.000 | 2 |"), md);
        assertTrue(md.contains("| true \\ predicted | a | b | c | d |"), md);
        assertTrue(md.contains("| d | 1 | 0 | 1 | **0** |"), md);
        assertTrue(md.contains("| ratios | `[60,20,20]` |"), md);
        assertTrue(md.contains("| training | 2 min 06 s |"), md);
        assertFalse(md.contains(".png"), "no plots in the folder, no links");

        Files.write(dir.resolve(Plots.CURVES_FILE), new byte[] {1});
        Files.write(dir.resolve(Plots.CONFUSION_FILE), new byte[] {1});
        report.write(dir);
        md = Files.readString(dir.resolve(Report.MARKDOWN_FILE));
        assertTrue(md.contains("](curves.png)") && md.contains("](confusion.png)"), md);
        try (var files = Files.list(dir)) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().endsWith(".partial")), "no temporary files left");
        }
    }

    @Test
    void summaryTableForTheConsole() {
        StringWriter text = new StringWriter();
        example().printSummary(new PrintWriter(text));
        assertEquals(String.join("\n",
                "  split  samples  accuracy  macro-F1",
                "  dev          3    66.7 %     0.333",
                "  test        11    54.5 %     0.435",
                "",
                "  accuracy                 train     dev    test",
                "  this run                     —  66.7 %  54.5 %",
                "  raw-pixel linear        90.0 %  25.0 %  30.0 %",
                "  original Keras project  74.3 %  41.3 %  42.5 %",
                ""), text.toString());
    }

    @Test
    void everyReportComparesWithThePublishedFigures() {
        Report r = new Report("x");
        assertEquals(List.of(Baseline.ORIGINAL_KERAS_PROJECT), r.baselines());
        assertEquals(null, r.detailSplitName());
        r.split("dev", ClassificationMetricsTest.example());
        assertEquals("dev", r.detailSplitName(), "no test split: the last one");
        assertThrows(IllegalArgumentException.class, () -> r.split("baselines", ClassificationMetricsTest.example()));
    }

    /** Settings can come from an options object (public fields), like the run configuration. */
    public static final class Options {
        public int epochs = 7;
        public String head = "linear";
        public List<String> classes = List.of("a", "b");
    }

    @Test
    void settingsFromAnOptionsObject() throws Exception {
        Report r = new Report("x").split("dev", ClassificationMetricsTest.example()).settings(new Options());
        assertEquals(7, r.settings().get("epochs"));
        assertEquals("linear", r.settings().get("head"));
        r.write(dir);
        assertEquals(List.of("a", "b"), Report.read(dir).settings().get("classes"));
        assertThrows(IllegalArgumentException.class, () -> r.settings("not options"));
    }

    @Test
    void formats() {
        assertEquals("41.3 %", Format.percent(0.4134));
        assertEquals("—", Format.percent(Double.NaN));
        assertEquals("0.412", Format.decimal3(0.41249));
        assertEquals("59.9 s", Format.duration(59.94));
        assertEquals("1 min 05 s", Format.duration(65.2));
        assertEquals("2 h 01 min", Format.duration(7290));
        assertEquals("0.0003", Format.number(3e-4f));
        assertEquals("20", Format.number(20));
    }

    private static List<String> names(JsonNode object) {
        return object.properties().stream().map(Map.Entry::getKey).toList();
    }
}
