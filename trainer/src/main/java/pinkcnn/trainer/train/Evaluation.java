package pinkcnn.trainer.train;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import pinkcnn.engine.backend.Backend;
import pinkcnn.trainer.cam.ClassActivationMaps;
import pinkcnn.trainer.cam.ErrorGallery;
import pinkcnn.trainer.data.DatasetReader;
import pinkcnn.trainer.data.Progress;
import pinkcnn.trainer.report.ClassificationMetrics;
import pinkcnn.trainer.report.MetricsCsv;
import pinkcnn.trainer.report.Plots;
import pinkcnn.trainer.report.Report;

/**
 * Scores a finished run on its dev and test splits (or on any prepared file), beside the raw-pixel baseline and the
 * original project's figures, and writes report.json, report.md, curves.png, confusion.png and errors.png (the
 * misclassified test photos with their Grad-CAM) into the run folder.
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
            TrainingRun.checkSplits(cfg.data, List.of(train, dev, test), cfg);
            Predictions testPredictions = null;
            for (DatasetReader d : List.of(train, dev, test)) {
                long t0 = System.nanoTime();
                Predictions p = predictions(loaded, backend, run, d, progress);
                report.split(d.split(), ClassificationMetrics.fromProbabilities(p.labels(), p.probabilities(), cfg.classes));
                report.timing("evaluate " + d.split(), (System.nanoTime() - t0) / 1e9);
                if (d == test) testPredictions = p;
            }
            long t0 = System.nanoTime();
            report.baseline(RawPixelBaseline.measure(backend, train, dev, test, cfg.classes, cfg.seed));
            report.timing("raw-pixel baseline", (System.nanoTime() - t0) / 1e9);
            t0 = System.nanoTime();
            writeGallery(run, loaded, backend, test, testPredictions);
            report.timing("errors gallery", (System.nanoTime() - t0) / 1e9);
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
            if (d.height() != loaded.cfg().inputSize || d.width() != loaded.cfg().inputSize) {
                throw new pinkcnn.trainer.UserError(data + ": images are " + d.height() + "×" + d.width() + " pixels, the run was "
                        + "trained on " + loaded.cfg().inputSize + "×" + loaded.cfg().inputSize);
            }
            report.split(d.split() == null || d.split().isBlank() ? "data" : d.split(), score(loaded, backend, run, d, progress));
        }
        return report;
    }

    static ClassificationMetrics score(TrainingRun.Loaded loaded, Backend backend, RunFolder run, DatasetReader d,
                                       Progress.Factory progress) throws IOException {
        Predictions p = predictions(loaded, backend, run, d, progress);
        return ClassificationMetrics.fromProbabilities(p.labels(), p.probabilities(), loaded.cfg().classes);
    }

    /** The class probabilities of every image of d: the mean over ensemble members and test-time views. */
    static Predictions predictions(TrainingRun.Loaded loaded, Backend backend, RunFolder run, DatasetReader d,
                                   Progress.Factory progress) throws IOException {
        List<Predictions> members = new java.util.ArrayList<>();
        for (int k = 0; k < loaded.cfg().ensemble; k++) {
            TrainingRun.Loaded m = loaded.member(k, run, backend);
            Trainer t = new Trainer(backend, m.model(), null, m.cfg().batch, m.cfg().classes.size(), m.cfg().seed, null, progress);
            members.add(t.predict(m.features(backend, run.member(k), d, d.split(), progress)));
        }
        return Predictions.average(members);
    }

    /**
     * errors.png: the misclassified test photos with the Grad-CAM of the class they were given ({@link ErrorGallery};
     * the maps are the run's own model's, member 0 of an ensemble).
     */
    static void writeGallery(RunFolder run, TrainingRun.Loaded loaded, Backend backend, DatasetReader test,
                             Predictions p) throws IOException {
        Path png = run.dir().resolve(Plots.ERRORS_FILE);
        if (ErrorGallery.write(ClassActivationMaps.of(backend, loaded), test, p, loaded.cfg().classes, png) == 0) {
            java.nio.file.Files.deleteIfExists(png); // no test photos: no stale gallery from an earlier evaluation
        }
    }

    static void writeOutputs(RunFolder run, Report report) throws IOException {
        if (java.nio.file.Files.exists(run.metrics())) Plots.curves(MetricsCsv.read(run.metrics()), run.curves());
        ClassificationMetrics detail = report.detailSplit();
        if (detail != null) Plots.confusion(detail, run.confusion());
        report.write(run.dir());
    }
}
