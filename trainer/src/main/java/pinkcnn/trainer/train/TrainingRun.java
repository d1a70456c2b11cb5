package pinkcnn.trainer.train;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import pinkcnn.engine.backend.Backend;
import pinkcnn.engine.io.AtomicFiles;
import pinkcnn.engine.io.DiskFullException;
import pinkcnn.engine.io.KerasWeights;
import pinkcnn.engine.io.WeightFileException;
import pinkcnn.engine.nn.Graph;
import pinkcnn.engine.nn.GridAveragePool2d;
import pinkcnn.engine.nn.Layer;
import pinkcnn.engine.optim.Optimizer;
import pinkcnn.trainer.UserError;
import pinkcnn.trainer.data.DatasetReader;
import pinkcnn.trainer.data.Progress;
import pinkcnn.trainer.report.MetricsCsv;

/**
 * One training run end to end: read the prepared splits, compute (or load cached) frozen-backbone features, train
 * the classifier epoch by epoch with checkpoints, keep the best dev epoch's weights as {@code model.h5}, then
 * evaluate ({@link Evaluation}).
 */
public final class TrainingRun {
    private final RunConfig cfg;
    private final RunFolder run;
    private final Backend backend;
    private final Progress.Factory progress;
    private final PrintStream out;

    public TrainingRun(RunConfig cfg, RunFolder run, Backend backend, Progress.Factory progress, PrintStream out) {
        this.cfg = cfg;
        this.run = run;
        this.backend = backend;
        this.progress = progress;
        this.out = out;
    }

    /** The prepared split files of a data folder, checked to exist. */
    public static Path split(String dataDir, String split) {
        Path f = Path.of(dataDir).resolve(split + ".h5");
        if (!Files.isRegularFile(f)) {
            throw new UserError(f + ": missing; make the splits with 'pinkcnn prepare --out " + dataDir + "'");
        }
        return f;
    }

    /**
     * Refuses splits that did not come from one {@code prepare} run, before any work: their class lists, image shape
     * and element type must agree (a different class list would train on one set of names and report on another; a
     * longer one crashed the metrics), and so must the prepare settings the files record (seed, split, crop). With a
     * run's configuration, the splits must also match what the run was trained on.
     */
    public static void checkSplits(String dataDir, List<DatasetReader> splits, RunConfig run) {
        DatasetReader first = splits.get(0);
        String again = "; the splits come from different 'pinkcnn prepare' runs: prepare them again together";
        for (DatasetReader d : splits.subList(1, splits.size())) {
            String a = d.file().getFileName().toString(), b = first.file().getFileName().toString();
            if (!d.classes().equals(first.classes())) {
                throw new UserError(dataDir + ": " + a + " has classes " + d.classes() + ", " + b + " " + first.classes() + again);
            }
            if (d.height() != first.height() || d.width() != first.width() || d.channels() != first.channels()) {
                throw new UserError(dataDir + ": " + a + " holds " + shape(d) + " images, " + b + " " + shape(first) + again);
            }
            if (!d.dtype().equals(first.dtype())) {
                throw new UserError(dataDir + ": " + a + " holds " + d.dtype() + " images, " + b + " " + first.dtype() + again);
            }
            for (String key : List.of("seed", "split_ratios", "preprocess_crop", "preprocess_crop_fraction", "preprocess_resize")) {
                String x = d.attributes().get(key), y = first.attributes().get(key);
                if (x != null && y != null && !x.equals(y)) {
                    throw new UserError(dataDir + ": " + a + " was prepared with " + key + " " + x + ", " + b + " with " + y + again);
                }
            }
        }
        if (first.height() != first.width()) {
            throw new UserError(dataDir + ": images must be square (they are " + shape(first) + "; prepare makes them so)");
        }
        if (run != null) {
            if (!first.classes().equals(run.classes)) {
                throw new UserError(dataDir + ": the splits have classes " + first.classes() + ", the run was trained on "
                        + run.classes);
            }
            if (first.height() != run.inputSize) {
                throw new UserError(dataDir + ": images are " + first.height() + " pixels, the run was trained on " + run.inputSize);
            }
        }
    }

    private static String shape(DatasetReader d) {
        return d.height() + "×" + d.width() + "×" + d.channels();
    }

    /**
     * For a run that replaces another (train --force, built aside): that run's folder, named in the messages of a
     * failure (it still holds the previous run).
     */
    public TrainingRun replacing(Path previous) {
        this.replacing = previous;
        return this;
    }

    private Path replacing;

    /** Trains (or, with resume, continues) and returns the best dev epoch. */
    public int train(boolean resume) throws IOException {
        if (resume) {
            int done = Checkpoint.state(run.checkpoint()).epoch();
            if (cfg.epochs < done) {
                throw new UserError("--epochs " + cfg.epochs + " is fewer than the " + done + " epochs " + run.dir()
                        + " has already trained");
            }
        }
        FeatureSet train;
        List<FeatureSet> dev = new ArrayList<>();
        Classifier model;
        Graph backbone;
        try (DatasetReader trainData = DatasetReader.open(split(cfg.data, "train"));
             DatasetReader devData = DatasetReader.open(split(cfg.data, "dev"));
             DatasetReader testData = DatasetReader.open(split(cfg.data, "test"))) {
            checkSplits(cfg.data, List.of(trainData, devData, testData), resume ? cfg : null);
            Files.createDirectories(run.dir());
            cfg.inputSize = trainData.height();
            backbone = Backbones.pretrained(backend, cfg.alpha, cfg.inputSize, Path.of(cfg.weights));
            cfg.classes = trainData.classes();
            cfg.takePreprocessing(trainData);
            model = classifier(backbone, cfg);
            FeatureExtractor fx = new FeatureExtractor(backend, backbone, Path.of(cfg.weights), cfg.batch, true, progress);
            Pool pool = cfg.frozen() ? cfg.pool : Pool.NONE;
            train = fx.extract(trainData, model.inputs(), pool, "train", false);
            for (boolean mirrored : cfg.tta.views()) {
                dev.add(fx.extract(devData, model.inputs(), pool, "dev", mirrored));
            }
        }
        // The head is built for the feature shape, so it is (re)made once features exist.
        model = classifier(backend, backbone, cfg, train);

        Optimizer optimizer = cfg.optimizer.create(cfg.lr);
        float[] weights = cfg.classWeights.of(train.labels(), cfg.classes.size());
        Trainer trainer = new Trainer(backend, model, optimizer, cfg.batch, cfg.classes.size(), cfg.seed, weights, progress);
        trainer.setSchedule(cfg.lrSchedule);
        trainer.setLabelSmoothing(cfg.labelSmoothing);
        int first = 1;
        if (resume) {
            Checkpoint.Restored restored = Checkpoint.read(run.checkpoint(), model, optimizer);
            Checkpoint.State s = restored.state();
            cfg.write(run.config()); // the epoch limit may have changed
            trainer.setBest(s.bestEpoch(), s.bestDevAccuracy(), s.bestDevLoss(), restored.bestWeights());
            MetricsCsv.truncateAfter(run.metrics(), s.epoch());
            first = s.epoch() + 1;
            if (first > cfg.epochs) out.printf("the run has trained its %d epochs (--epochs N with --resume raises the limit)%n", cfg.epochs);
            if (!restored.folder().equals(run.checkpoint())) {
                out.printf("the last checkpoint was not completely written; using the one before it (%s)%n", restored.folder());
            }
            out.printf("resuming after epoch %d (best so far: epoch %d, dev accuracy %.1f %%)%n", s.epoch(), s.bestEpoch(),
                    100 * s.bestDevAccuracy());
        } else {
            cfg.write(run.config());
            Files.deleteIfExists(run.metrics());
        }
        Classifier m = model;
        String previous = replacing == null ? "" : "; " + replacing + " still holds the previous run";
        Thread hook = new Thread(() -> System.err.println(
                "\ninterrupted: the last finished epoch's checkpoint is kept; continue with 'pinkcnn train --resume --out "
                        + run.dir() + "'" + previous));
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            trainer.fit(train, dev, first, cfg.epochs, cfg.patience, (row, improved) -> {
                try {
                    MetricsCsv.append(run.metrics(), row);
                    out.println(row.describe() + (improved ? "  *" : ""));
                    if (improved) m.modelWeights().write(run.model());
                    Checkpoint.write(run.checkpoint(), m, trainer.bestWeights(), optimizer, new Checkpoint.State(row.epoch(),
                            optimizer.steps(), trainer.bestEpoch(), trainer.bestDevAccuracy(), trainer.bestDevLoss()));
                } catch (IOException e) {
                    DiskFullException full = AtomicFiles.diskFull(run.dir(), e);
                    throw new UserError((full != null ? full.getMessage() : "cannot write to " + run.dir() + ": " + e.getMessage())
                            + previous);
                }
                return true;
            });
        } catch (Trainer.DivergedException e) {
            // Name the best weights only where this run wrote them.
            String kept = trainer.bestEpoch() > 0 && Files.isRegularFile(run.model())
                    ? "; the best weights before that (epoch " + trainer.bestEpoch() + ") are in " + run.model()
                    : "; no epoch finished, so no weights were saved";
            throw new UserError(e.getMessage() + kept + previous, 3);
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException ignored) {
                // shutting down
            }
        }
        return trainer.bestEpoch();
    }

    /**
     * With {@code --ensemble N}, trains members 1 … N−1 after this run (same settings and data, seeds seed+1 …), each
     * in its own run folder under members/; members already finished are skipped on --resume. The frozen-backbone
     * features come from the cache the first member filled.
     */
    public void trainOtherMembers(boolean resume) throws IOException {
        for (int k = 1; k < cfg.ensemble; k++) {
            RunFolder member = run.member(k);
            if (resume && Files.exists(member.finished())) continue;
            out.printf("ensemble member %d of %d (seed %d)%n", k + 1, cfg.ensemble, cfg.seed + k);
            Files.createDirectories(member.dir());
            boolean again = resume && Files.isRegularFile(member.config());
            RunConfig mc = again ? member.readConfig() : cfg.member(k);
            new TrainingRun(mc, member, backend, progress, out).train(again);
            Files.writeString(member.finished(), "");
        }
    }

    /** The classifier for a configuration, before the feature shape is known (only its inputs are used). */
    static Classifier classifier(Graph backbone, RunConfig cfg) {
        return new Classifier(backbone, cfg.cutLayer, cfg.frozen() ? null : cfg.fineTuneFrom, cfg.bnTrain, List.of(), 0f);
    }

    /**
     * The trainable part of a fine-tuning configuration (the backbone from {@code cfg.fineTuneFrom} to the cut, then
     * the head), built as {@code train} builds it; for the training benchmark.
     */
    public static Classifier fineTuned(Backend backend, Graph backbone, RunConfig cfg) {
        if (cfg.frozen()) throw new IllegalArgumentException("a fine-tuning configuration has a first trained layer");
        return classifier(backend, backbone, cfg, (int[]) null);
    }

    /** The full classifier, its head sized for the features. */
    static Classifier classifier(Backend backend, Graph backbone, RunConfig cfg, FeatureSet features) {
        int[] shape = cfg.frozen() ? features.sampleShape(cfg.cutLayer) : null;
        return classifier(backend, backbone, cfg, shape);
    }

    /**
     * The classifier of a configuration. A frozen run's features were pooled on the host before caching
     * ({@code frozenShape}); a fine-tuned run pools inside the model, with a {@link GridAveragePool2d} before the head.
     */
    private static Classifier classifier(Backend backend, Graph backbone, RunConfig cfg, int[] frozenShape) {
        List<Layer> head = new ArrayList<>();
        int[] shape;
        if (cfg.frozen()) {
            shape = frozenShape;
        } else {
            int[] s = backbone.outputShape(cfg.cutLayer);
            shape = java.util.Arrays.copyOfRange(s, 1, s.length);
            int grid = cfg.pool.gridSize();
            if (grid > 0) {
                head.add(new GridAveragePool2d("grid_average_pooling2d", grid));
                shape = new int[] {grid, grid, shape[2]};
            }
        }
        head.addAll(Heads.build(backend, cfg.head, shape, cfg.classes.size(), cfg.dropout, cfg.seed));
        return new Classifier(backbone, cfg.cutLayer, cfg.frozen() ? null : cfg.fineTuneFrom, cfg.bnTrain, head,
                Heads.activityL2(cfg.head));
    }

    /** Loads a finished run's model for evaluation or prediction. */
    public static Loaded load(RunFolder run, Backend backend) {
        RunConfig cfg = run.readConfig();
        Graph backbone = Backbones.build(backend, cfg.alpha, cfg.inputSize);
        int[] s = backbone.outputShape(cfg.cutLayer);
        int grid = cfg.pool.gridSize();
        int[] frozenShape = grid > 0 ? new int[] {grid, grid, s[3]} : java.util.Arrays.copyOfRange(s, 1, s.length);
        Classifier model = classifier(backend, backbone, cfg, frozenShape);
        try {
            model.load(KerasWeights.read(run.model()));
        } catch (WeightFileException e) {
            throw new UserError(e.getMessage());
        }
        return new Loaded(cfg, backbone, model);
    }

    /** A run's configuration, backbone and trained classifier. */
    public record Loaded(RunConfig cfg, Graph backbone, Classifier model) {
        /** Ensemble member k of this run (0: itself), scored with this run's test-time augmentation. */
        public Loaded member(int k, RunFolder run, Backend backend) {
            if (k == 0) return this;
            Loaded m = load(run.member(k), backend);
            m.cfg().tta = cfg.tta;
            return m;
        }

        /** Features for a data file, as in training, one set per test-time view (cached by the pretrained weights). */
        public List<FeatureSet> features(Backend backend, RunFolder run, DatasetReader data, String label,
                                         Progress.Factory progress) throws IOException {
            // The frozen part of the model is the pretrained backbone unchanged, so the features training cached
            // are found again under the pretrained file's key; without that file, the run's own model is the key.
            Path key = cfg.weights != null && Files.isRegularFile(Path.of(cfg.weights)) ? Path.of(cfg.weights) : run.model();
            FeatureExtractor fx = new FeatureExtractor(backend, backbone, key, cfg.batch, true, progress);
            List<FeatureSet> views = new ArrayList<>();
            for (boolean mirrored : cfg.tta.views()) {
                views.add(fx.extract(data, model.inputs(), cfg.frozen() ? cfg.pool : Pool.NONE, label, mirrored));
            }
            return views;
        }
    }

    static Map<String, Object> settings(RunConfig cfg) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cut_layer", cfg.cutLayer);
        m.put("fine_tune_from", cfg.fineTuneFrom == null ? "none (frozen backbone)" : cfg.fineTuneFrom);
        m.put("pool", cfg.pool.id());
        m.put("head", cfg.head.id());
        m.put("dropout", cfg.dropout);
        m.put("epochs", cfg.epochs);
        m.put("batch", cfg.batch);
        m.put("optimizer", cfg.optimizer.id() + " lr " + cfg.lr + " " + cfg.lrSchedule.id());
        m.put("class_weights", cfg.classWeights.id());
        m.put("label_smoothing", cfg.labelSmoothing);
        m.put("seed", cfg.seed);
        m.put("crop", cfg.preprocessing().describeCrop());
        m.put("test_time_augmentation", cfg.tta.id());
        m.put("ensemble", cfg.ensemble);
        m.put("input_size", cfg.inputSize);
        return m;
    }
}
