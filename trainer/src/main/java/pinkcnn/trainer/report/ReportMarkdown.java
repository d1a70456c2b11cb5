package pinkcnn.trainer.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;

/** report.md: results per split, the comparison with baselines, per-class scores and the confusion matrix, settings. */
final class ReportMarkdown {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(ZoneOffset.UTC);

    private ReportMarkdown() {
    }

    static String render(Report r, boolean curvesPng, boolean confusionPng, boolean errorsPng) {
        StringBuilder md = new StringBuilder();
        md.append("# pinkcnn report").append(r.title().isEmpty() ? "" : ": " + r.title()).append("\n\n");
        if (r.created() != null) md.append("Made ").append(WHEN.format(r.created())).append(".\n\n");

        md.append("## Results\n\n");
        TextTable results = new TextTable("split", "samples", "accuracy", "macro-F1", "log-loss");
        r.splits().forEach((name, m) -> results.row(name, Integer.toString(m.samples()), Format.percent(m.accuracy()),
                Format.decimal3(m.macroF1()), Format.decimal3(m.logLoss().orElse(Double.NaN))));
        md.append(results.markdown()).append('\n');
        md.append("Macro-F1 is the mean of the per-class F1 scores; log-loss is the mean −ln p(true class).\n\n");

        md.append("## Compared with baselines\n\n");
        md.append(r.comparison().markdown()).append('\n');
        for (Baseline b : r.baselines()) {
            if (!b.note().isBlank()) md.append("- **").append(b.name()).append("**: ").append(b.note()).append('\n');
        }
        md.append('\n');

        String detail = r.detailSplitName();
        ClassificationMetrics m = r.detailSplit();
        if (m != null) {
            md.append("## Per class (").append(detail).append(")\n\n");
            TextTable perClass = new TextTable("class", "precision", "recall", "F1", "support");
            for (ClassificationMetrics.ClassScores s : m.perClass()) {
                perClass.row(s.className(), Format.decimal3(s.precision()), Format.decimal3(s.recall()),
                        Format.decimal3(s.f1()), Integer.toString(s.support()));
            }
            md.append(perClass.markdown()).append('\n');

            md.append("## Confusion matrix (").append(detail).append(")\n\n");
            md.append("Rows: true class; columns: predicted class.\n\n");
            List<String> names = m.classNames();
            String[] header = new String[names.size() + 1];
            header[0] = "true \\ predicted";
            for (int c = 0; c < names.size(); c++) header[c + 1] = names.get(c);
            TextTable confusion = new TextTable(header);
            for (int t = 0; t < names.size(); t++) {
                String[] row = new String[names.size() + 1];
                row[0] = names.get(t);
                for (int p = 0; p < names.size(); p++) row[p + 1] = t == p ? "**" + m.count(t, p) + "**" : Integer.toString(m.count(t, p));
                confusion.row(row);
            }
            md.append(confusion.markdown()).append('\n');
            if (confusionPng) md.append("![confusion matrix](").append(Plots.CONFUSION_FILE).append(")\n\n");
        }

        if (errorsPng) {
            md.append("## Mistakes (test)\n\n");
            md.append("The misclassified test photos (the least confident correct ones too when there are few mistakes), "
                    + "each with its true and predicted class, the probability and the Grad-CAM of the predicted class: "
                    + "red where the evidence for that class lies. How to read it: docs/cam.md.\n\n");
            md.append("![misclassified test photos with their Grad-CAM](").append(Plots.ERRORS_FILE).append(")\n\n");
        }

        if (curvesPng) {
            md.append("## Training curves\n\n");
            md.append("![loss and accuracy per epoch, train and dev](").append(Plots.CURVES_FILE).append(")\n\n");
        }

        if (!r.settings().isEmpty()) {
            md.append("## Settings\n\n");
            TextTable settings = new TextTable("option", "value").alignLeft();
            r.settings().forEach((k, v) -> settings.row(k, "`" + text(v) + "`"));
            md.append(settings.markdown()).append('\n');
        }
        if (!r.timings().isEmpty()) {
            md.append("## Timings\n\n");
            TextTable timings = new TextTable("step", "time");
            r.timings().forEach((k, v) -> timings.row(k, Format.duration(v)));
            md.append(timings.markdown()).append('\n');
        }
        return md.toString().stripTrailing() + "\n";
    }

    private static String text(Object v) {
        if (v == null) return "null";
        if (v instanceof Map<?, ?> || v instanceof List<?>) {
            try {
                return JSON.writeValueAsString(v);
            } catch (JsonProcessingException e) {
                return v.toString();
            }
        }
        return v.toString();
    }
}
