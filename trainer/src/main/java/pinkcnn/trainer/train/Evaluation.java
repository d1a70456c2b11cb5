package pinkcnn.trainer.train;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import pinkcnn.engine.backend.Backend;
import pinkcnn.trainer.data.DatasetReader;
import pinkcnn.trainer.data.Progress;
import pinkcnn.trainer.report.ClassificationMetrics;
import pinkcnn.trainer.report.MetricsCsv;
import pinkcnn.trainer.report.Plots;
import pinkcnn.trainer.report.Report;

/**
 * Scores a finished run on its dev and test splits (or on any prepared file), beside the raw-pixel baseline and the
 * original project's figures, and writes report.json, report.md, curves.png and confusion.png into the run folder.
 */
public final class Evaluation {
    private Evaluation() {}

    /** Evaluates on the run's own splits (train, dev, test). */
    public static Report ofRun(RunFolder run, Backend backend, Progress.Factory progress) throws IOException {
        return ofRun(run, backend, progress, null);
    }

    /** As {@link #ofRun(RunFolder, Backend, Progress.Factory)}, with another test-time augmentation than the run's. */
    public static Report ofRun(RunFolder run, Backend backend, Progress.Factory progress, TestTimeAugmentation tta)
            throws IOException {
        TrainingRun.Loaded loaded = TrainingRun.load(run, backend);
        if (tta != null) loaded.cfg().tta = tta;
        RunConfig cfg = loaded.cfg();
        Report report = new Report(run.dir().getFileName().toString());
        report.settings(TrainingRun.settings(cfg));
        try (DatasetReader train = DatasetReader.open(TrainingRun.split(cfg.data, "train"));
             DatasetReader dev = DatasetReader.open(TrainingRun.split(cfg.data, "dev"));
             DatasetReader test = DatasetReader.open(TrainingRun.split(cfg.data, "test"))) {
            for (DatasetReader d : List.of(train, dev, test)) {
                long t0 = System.nanoTime();
                report.split(d.split(), score(loaded, backend, run, d, progress));
                report.timing("evaluate " + d.split(), (System.nanoTime() - t0) / 1e9);
            }
            long t0 = System.nanoTime();
            report.baseline(RawPixelBaseline.measure(backend, train, dev, test, cfg.classes, cfg.seed));
            report.timing("raw-pixel baseline", (System.nanoTime() - t0) / 1e9);
        }
        writeOutputs(run, report);
        return report;
    }

    /** Evaluates on one prepared file (e.g. another person's photos prepared the same way). */
    public static Report ofFile(RunFolder run, Path data, Backend backend, Progress.Factory progress,
                                TestTimeAugmentation tta) throws IOException {
        TrainingRun.Loaded loaded = TrainingRun.load(run, backend);
        if (tta != null) loaded.cfg().tta = tta;
        Report report = new Report(run.dir().getFileName() + " on " + data.getFileName());
        report.settings(TrainingRun.settings(loaded.cfg()));
        try (DatasetReader d = DatasetReader.open(data)) {
            if (!d.classes().equals(loaded.cfg().classes)) {
                throw new pinkcnn.trainer.UserError(data + ": classes " + d.classes() + " differ from the run's " + loaded.cfg().classes);
            }
            report.split(d.split() == null || d.split().isBlank() ? "data" : d.split(), score(loaded, backend, run, d, progress));
        }
        return report;
    }

    static ClassificationMetrics score(TrainingRun.Loaded loaded, Backend backend, RunFolder run, DatasetReader d,
                                       Progress.Factory progress) throws IOException {
        List<Predictions> members = new java.util.ArrayList<>();
        for (int k = 0; k < loaded.cfg().ensemble; k++) {
            TrainingRun.Loaded m = loaded.member(k, run, backend);
            Trainer t = new Trainer(backend, m.model(), null, m.cfg().batch, m.cfg().classes.size(), m.cfg().seed, null, progress);
            members.add(t.predict(m.features(backend, run.member(k), d, d.split(), progress)));
        }
        Predictions p = Predictions.average(members);
        return ClassificationMetrics.fromProbabilities(p.labels(), p.probabilities(), loaded.cfg().classes);
    }

    static void writeOutputs(RunFolder run, Report report) throws IOException {
        if (java.nio.file.Files.exists(run.metrics())) Plots.curves(MetricsCsv.read(run.metrics()), run.curves());
        ClassificationMetrics detail = report.detailSplit();
        if (detail != null) Plots.confusion(detail, run.confusion());
        report.write(run.dir());
    }
}
