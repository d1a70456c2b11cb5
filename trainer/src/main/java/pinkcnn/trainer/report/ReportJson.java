package pinkcnn.trainer.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import pinkcnn.trainer.UserError;

/**
 * report.json: the splits at the top level by name, then baselines, settings and timings.
 * <pre>
 * {
 *   "title": "runs/faces", "created": "2025-01-31T12:00:00Z",
 *   "dev":  { "samples": 63, "accuracy": 0.62, "macro_f1": 0.60, "log_loss": 0.91,
 *             "per_class": { "alice": { "precision": …, "recall": …, "f1": …, "support": 16 }, … },
 *             "confusion": { "classes": [ "alice", … ], "matrix": [ [ 10, 2, … ], … ] } },
 *   "test": { … },
 *   "baselines": { "raw-pixel linear": { "train_accuracy": null, "dev_accuracy": 0.35, "test_accuracy": 0.33, "note": "…" } },
 *   "settings": { … }, "timings_seconds": { "training": 41.2 }
 * }
 * </pre>
 * Unknown figures (NaN) are written as null. Reading rebuilds each split from its confusion matrix (and log-loss).
 */
final class ReportJson {

    /** Paths are written as given (Jackson's default is an absolute file: URI). */
    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new SimpleModule()
            .addSerializer(Path.class, ToStringSerializer.instance)
            .addSerializer(File.class, ToStringSerializer.instance));

    private ReportJson() {
    }

    static String write(Report report) throws JsonProcessingException {
        ObjectNode root = JSON.createObjectNode();
        root.put("title", report.title());
        if (report.created() != null) root.put("created", report.created().toString());
        report.splits().forEach((name, m) -> root.set(name, split(m)));
        ObjectNode baselines = root.putObject("baselines");
        for (Baseline b : report.baselines()) {
            ObjectNode o = baselines.putObject(b.name());
            number(o, "train_accuracy", b.trainAccuracy());
            number(o, "dev_accuracy", b.devAccuracy());
            number(o, "test_accuracy", b.testAccuracy());
            o.put("note", b.note());
        }
        root.set("settings", JSON.valueToTree(report.settings()));
        ObjectNode timings = root.putObject("timings_seconds");
        report.timings().forEach((k, v) -> number(timings, k, v));
        // Nested objects indented, arrays on one line: a confusion matrix row reads as a row.
        DefaultPrettyPrinter printer = new DefaultPrettyPrinter()
                .withObjectIndenter(DefaultIndenter.SYSTEM_LINEFEED_INSTANCE.withLinefeed("\n"));
        return JSON.writer(printer).writeValueAsString(root) + "\n";
    }

    private static ObjectNode split(ClassificationMetrics m) {
        ObjectNode o = JSON.createObjectNode();
        o.put("samples", m.samples());
        number(o, "accuracy", m.accuracy());
        number(o, "macro_f1", m.macroF1());
        number(o, "log_loss", m.logLoss().orElse(Double.NaN));
        ObjectNode perClass = o.putObject("per_class");
        for (ClassificationMetrics.ClassScores s : m.perClass()) {
            ObjectNode c = perClass.putObject(s.className());
            number(c, "precision", s.precision());
            number(c, "recall", s.recall());
            number(c, "f1", s.f1());
            c.put("support", s.support());
        }
        ObjectNode confusion = o.putObject("confusion");
        ArrayNode classes = confusion.putArray("classes");
        m.classNames().forEach(classes::add);
        ArrayNode matrix = confusion.putArray("matrix");
        for (int[] row : m.confusion()) {
            ArrayNode r = matrix.addArray();
            for (int v : row) r.add(v);
        }
        return o;
    }

    private static void number(ObjectNode o, String key, double v) {
        if (Double.isFinite(v)) o.put(key, v);
        else o.putNull(key);
    }

    static Report read(Path file) throws IOException {
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (JsonProcessingException e) {
            throw new UserError(file + ": not valid JSON (" + e.getOriginalMessage() + ")");
        }
        if (root == null || !root.isObject()) throw new UserError(file + ": not a report (expected a JSON object)");
        Instant created = null;
        if (root.hasNonNull("created")) {
            try {
                created = Instant.parse(root.get("created").asText());
            } catch (DateTimeParseException e) {
                throw new UserError(file + ": \"created\" is not a time: " + root.get("created").asText());
            }
        }
        Report report = new Report(root.path("title").asText(""), created);
        for (Map.Entry<String, JsonNode> e : root.properties()) {
            if (!Report.RESERVED_KEYS.contains(e.getKey()) && e.getValue().isObject()) report.split(e.getKey(), readSplit(file, e.getKey(), e.getValue()));
        }
        if (report.splits().isEmpty()) throw new UserError(file + ": no split results (such as \"dev\" or \"test\") in it");
        for (Map.Entry<String, JsonNode> e : root.path("baselines").properties()) {
            JsonNode b = e.getValue();
            report.baseline(new Baseline(e.getKey(), fraction(b, "train_accuracy"), fraction(b, "dev_accuracy"),
                    fraction(b, "test_accuracy"), b.path("note").asText("")));
        }
        if (root.has("settings")) {
            Map<String, Object> settings = JSON.convertValue(root.get("settings"), new TypeReference<Map<String, Object>>() { });
            if (settings != null) report.settings(settings);
        }
        for (Map.Entry<String, JsonNode> e : root.path("timings_seconds").properties()) {
            report.timing(e.getKey(), e.getValue().isNumber() ? e.getValue().asDouble() : Double.NaN);
        }
        return report;
    }

    private static ClassificationMetrics readSplit(Path file, String name, JsonNode node) {
        String where = file + ": split \"" + name + "\"";
        JsonNode classes = node.path("confusion").path("classes");
        JsonNode matrix = node.path("confusion").path("matrix");
        if (!classes.isArray() || !matrix.isArray()) {
            throw new UserError(where + " has no confusion matrix ({\"classes\": [...], \"matrix\": [[...]]})");
        }
        List<String> names = new ArrayList<>();
        classes.forEach(c -> names.add(c.asText()));
        int k = names.size();
        if (k == 0 || matrix.size() != k) throw new UserError(where + ": the confusion matrix is not " + k + "×" + k);
        int[][] counts = new int[k][k];
        for (int t = 0; t < k; t++) {
            JsonNode row = matrix.get(t);
            if (!row.isArray() || row.size() != k) throw new UserError(where + ": confusion matrix row " + t + " does not have " + k + " counts");
            for (int p = 0; p < k; p++) {
                JsonNode v = row.get(p);
                if (!v.canConvertToInt() || !v.isIntegralNumber() || v.asInt() < 0) {
                    throw new UserError(where + ": confusion matrix entry [" + t + "][" + p + "] is not a count: " + v);
                }
                counts[t][p] = v.asInt();
            }
        }
        try {
            return ClassificationMetrics.fromConfusion(counts, names, fraction(node, "log_loss"));
        } catch (IllegalArgumentException e) {
            throw new UserError(where + ": " + e.getMessage());
        }
    }

    private static double fraction(JsonNode o, String key) {
        JsonNode v = o.get(key);
        return v != null && v.isNumber() ? v.asDouble() : Double.NaN;
    }

    /** A settings value as plain JSON data (maps, lists, strings, numbers, booleans), so it reads back the same. */
    static Object plain(Object value) {
        if (value == null || value instanceof String || value instanceof Number || value instanceof Boolean) return value;
        return JSON.convertValue(value, Object.class);
    }
}
