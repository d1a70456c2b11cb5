package pinkcnn.trainer;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import pinkcnn.engine.backend.Backend;
import pinkcnn.trainer.data.Progress;
import pinkcnn.trainer.report.Report;
import pinkcnn.trainer.train.Backbones;
import pinkcnn.trainer.train.ClassWeights;
import pinkcnn.trainer.train.Evaluation;
import pinkcnn.trainer.train.Head;
import pinkcnn.trainer.train.Heads;
import pinkcnn.trainer.train.LearningRateSchedule;
import pinkcnn.trainer.train.OptimizerKind;
import pinkcnn.trainer.train.Pool;
import pinkcnn.trainer.train.RunConfig;
import pinkcnn.trainer.train.RunFolder;
import pinkcnn.trainer.train.TestTimeAugmentation;
import pinkcnn.trainer.train.TrainingRun;

/** {@code pinkcnn train}: transfer learning on prepared splits, then evaluation with a report and plots. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Train a classifier on MobileNetV2 features (prepared train/dev/test .h5 files), keep the best dev "
                + "epoch, and write model.h5, metrics.csv, report.json/.md, curves.png and confusion.png into --out."})
public final class TrainCommand implements Callable<Integer> {
    /** The defaults of every option: a fresh configuration (defined there only). */
    private static final RunConfig DEFAULTS = new RunConfig();

    @Mixin DeviceOption device;

    /** --data's default, relative to the project folder ({@link UserPaths}). */
    static final String DEFAULT_DATA = "datasets/prepared";

    @Option(names = "--data", paramLabel = "DIR",
            description = "Folder with train.h5, dev.h5, test.h5 (from 'pinkcnn prepare'). Default: " + DEFAULT_DATA
                    + " in the project folder.")
    Path data;

    @Option(names = "--weights", paramLabel = "FILE.h5", description = "Pretrained MobileNetV2 weights, Keras layout "
            + "(default: the converted nsfwjs weights in the cache, see 'pinkcnn convert').")
    Path weights;

    @Option(names = "--out", required = true, paramLabel = "runs/NAME", description = "The run folder to write.")
    Path out;

    @Option(names = "--alpha", description = "MobileNetV2 width multiplier of the weights.")
    double alpha = DEFAULTS.alpha;

    @Option(names = "--epochs", description = "At most this many epochs (with --resume: a new limit for the run). Default: ${DEFAULT-VALUE}.")
    int epochs = DEFAULTS.epochs;

    @Option(names = "--batch", description = "Mini-batch size. Default: ${DEFAULT-VALUE}.")
    int batch = DEFAULTS.batch;

    @Option(names = "--lr", description = "Learning rate. Default: ${DEFAULT-VALUE}.")
    float lr = DEFAULTS.lr;

    @Option(names = "--lr-schedule", paramLabel = "constant|cosine", converter = LearningRateSchedule.Converter.class,
            description = "constant, or cosine decay from --lr towards 0 over --epochs. Default: ${DEFAULT-VALUE}.")
    LearningRateSchedule lrSchedule = DEFAULTS.lrSchedule;

    @Option(names = "--label-smoothing", paramLabel = "E",
            description = "Train against (1-E)·one-hot + E/classes instead of one-hot targets. Default: ${DEFAULT-VALUE}.")
    float labelSmoothing = DEFAULTS.labelSmoothing;

    @Option(names = "--optimizer", converter = OptimizerKind.Converter.class,
            description = "adam or sgd (momentum 0.9). Default: ${DEFAULT-VALUE}.")
    OptimizerKind optimizer = DEFAULTS.optimizer;

    @Option(names = "--head", converter = Head.Converter.class,
            description = "linear, mlp, or original (the original project's head, on Conv_1_bn). Default: ${DEFAULT-VALUE}.")
    Head head = DEFAULTS.head;

    @Option(names = "--dropout", description = "Dropout before the head's dense layer(s). Default: ${DEFAULT-VALUE}.")
    float dropout = DEFAULTS.dropout;

    @Option(names = "--cut-layer", paramLabel = "LAYER",
            description = "Backbone layer the head sits on. Default: " + RunConfig.DEFAULT_CUT + " (" + Heads.ORIGINAL_CUT
                    + " for --head original).")
    String cutLayer;

    @Option(names = "--pool", paramLabel = "POOL", converter = Pool.Converter.class,
            description = "Pooling of frozen features: none, gap, grid2, grid3 … Default: " + RunConfig.DEFAULT_POOL
                    + " (none for --head original).")
    Pool pool;

    @Option(names = "--fine-tune-from", paramLabel = "LAYER|none",
            description = "Train this backbone layer and all after it (up to the cut) with the head; none freezes the "
                    + "whole backbone (features cached, only the head trains). Default: ${DEFAULT-VALUE} (with --head original: none).")
    String fineTuneFrom = DEFAULTS.fineTuneFrom;

    @Option(names = "--tta", paramLabel = "none|flip", converter = TestTimeAugmentation.Converter.class,
            description = "Test-time augmentation: flip scores each dev/test/predicted photo as it is and mirrored and "
                    + "averages the probabilities. Default: " + RunConfig.DEFAULT_TTA + " (none for --head original).")
    TestTimeAugmentation tta;

    @Option(names = "--ensemble", paramLabel = "N",
            description = "Train N models (seeds seed … seed+N-1) and average their class probabilities. Default: ${DEFAULT-VALUE}.")
    int ensemble = DEFAULTS.ensemble;

    @Option(names = "--bn-train", description = "Fine-tuned batch norms use batch statistics and update their moving ones.")
    boolean bnTrain = DEFAULTS.bnTrain;

    @Option(names = "--class-weights", converter = ClassWeights.Converter.class,
            description = "auto (balanced) or none. Default: ${DEFAULT-VALUE}.")
    ClassWeights classWeights = DEFAULTS.classWeights;

    @Option(names = "--patience", description = "Stop after this many epochs without a better dev accuracy. Default: ${DEFAULT-VALUE}.")
    int patience = DEFAULTS.patience;

    @Option(names = "--seed", description = "Seed for initialisation, shuffling and dropout. Default: ${DEFAULT-VALUE}.")
    long seed = DEFAULTS.seed;

    @Option(names = "--resume", description = "Continue the run in --out from its last checkpoint, with the settings it "
            + "recorded (run.json); --epochs may change its limit, other settings must match.")
    boolean resume;

    @Option(names = "--force", description = "Replace an existing run in --out (once the new run is complete; until then "
            + "it is built in --out.new).")
    boolean force;

    @Option(names = "--quiet", description = "No progress bars.")
    boolean quiet;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (resume && force) throw new UserError("--resume continues the run in --out and --force replaces it: give one");
        RunFolder run = new RunFolder(out);
        RunConfig cfg;
        if (resume) {
            cfg = RunFolder.existingConfig(out);
            checkResumeOptions(cfg);
            if (given("--epochs") && epochs != cfg.epochs) {
                System.out.printf("--epochs %d: the run's limit of %d epochs becomes %d%n", epochs, cfg.epochs, epochs);
                cfg.epochs = epochs;
            }
        } else {
            cfg = config();
        }
        train(cfg, run, device, resume, force, quiet ? Progress.SILENT : Progress.BARS);
        return 0;
    }

    private boolean given(String option) {
        return spec != null && spec.commandLine().getParseResult() != null
                && spec.commandLine().getParseResult().hasMatchedOption(option);
    }

    /** The run.json field each training option sets (what --resume compares). */
    private static final Map<String, String> FIELDS = Map.ofEntries(Map.entry("--data", "data"),
            Map.entry("--weights", "weights"), Map.entry("--alpha", "alpha"), Map.entry("--batch", "batch"),
            Map.entry("--lr", "lr"), Map.entry("--lr-schedule", "lrSchedule"), Map.entry("--label-smoothing", "labelSmoothing"),
            Map.entry("--optimizer", "optimizer"), Map.entry("--head", "head"), Map.entry("--dropout", "dropout"),
            Map.entry("--cut-layer", "cutLayer"), Map.entry("--pool", "pool"), Map.entry("--fine-tune-from", "fineTuneFrom"),
            Map.entry("--tta", "tta"), Map.entry("--ensemble", "ensemble"), Map.entry("--bn-train", "bnTrain"),
            Map.entry("--class-weights", "classWeights"), Map.entry("--patience", "patience"), Map.entry("--seed", "seed"));

    /**
     * A resumed run continues with the settings it recorded: a training option given with --resume must say the
     * same (repeating the original command is fine), or the run would silently ignore it.
     */
    private void checkResumeOptions(RunConfig recorded) {
        ObjectMapper json = new ObjectMapper();
        JsonNode was = json.valueToTree(recorded), now = null;
        List<String> differ = new ArrayList<>();
        for (Map.Entry<String, String> e : new java.util.TreeMap<>(FIELDS).entrySet()) {
            if (!given(e.getKey())) continue;
            if (now == null) now = json.valueToTree(settings());
            JsonNode a = was.get(e.getValue()), b = now.get(e.getValue());
            boolean same = e.getValue().equals("data") || e.getValue().equals("weights")
                    ? a != null && !a.isNull() && Path.of(a.asText()).toAbsolutePath().normalize().equals(Path.of(b.asText()))
                    : java.util.Objects.equals(a, b);
            if (!same) differ.add(e.getKey() + " " + (b == null || b.isNull() ? "none" : b.asText())
                    + " (the run has " + (a == null || a.isNull() ? "none" : a.asText()) + ")");
        }
        if (!differ.isEmpty()) {
            throw new UserError("--resume continues " + out + " with the settings it was started with; " + String.join(", ", differ)
                    + " would change it: drop " + (differ.size() == 1 ? "that option" : "those options")
                    + ", or start a new run (another --out, or --force)");
        }
    }

    /**
     * Trains {@code cfg} into {@code run} (or continues it), then evaluates it and writes the report: what
     * {@code pinkcnn train} does once its options are checked ({@code demo} calls it too, with {@code replace}).
     *
     * <p>The run folder is locked meanwhile. It always holds one run: a new run goes into an empty folder, and one
     * that replaces a run ({@code replace}) is built in {@code NAME.new} beside it and swapped in once complete, so
     * that a failure leaves the previous run whole. A folder holding anything but a run's files is never written.
     */
    static void train(RunConfig cfg, RunFolder run, DeviceOption device, boolean resume, boolean replace,
                      Progress.Factory progress) throws IOException {
        run.finishReplacement();
        if (run.contents().kind() == RunFolder.Kind.OTHER) throw notARunFolder(run);
        boolean created = !Files.exists(run.dir());
        try (RunFolder.Lock lock = run.lock("pinkcnn train")) {
            try {
                trainLocked(cfg, run, device, resume, replace, progress);
            } catch (RuntimeException | IOException e) {
                // A run refused before it wrote anything leaves no folder behind that it made.
                if (created && run.contents().kind() == RunFolder.Kind.EMPTY) run.delete();
                throw e;
            }
        }
    }

    /** {@link #train} once the run folder is locked. */
    private static void trainLocked(RunConfig cfg, RunFolder run, DeviceOption device, boolean resume, boolean replace,
                                    Progress.Factory progress) throws IOException {
        RunFolder.Contents contents = run.contents(); // again, now that no other process can change it
        if (contents.kind() == RunFolder.Kind.OTHER) throw notARunFolder(run);
        if (!resume && contents.kind() == RunFolder.Kind.RUN && !replace) {
            throw new UserError(run.dir() + " already holds a run; use --resume to continue it or --force to replace it");
        }
        boolean aside = !resume && contents.kind() == RunFolder.Kind.RUN;
        RunFolder target = aside ? run.staging() : run;
        if (aside && target.contents().kind() == RunFolder.Kind.OTHER) throw notARunFolder(target);
        try (RunFolder.Lock staged = aside ? target.lock("pinkcnn train (replacing " + run.dir() + ")") : null) {
            if (aside) {
                target.clear(); // what a failed replacement left
                System.out.println("building the new run in " + target.dir() + "; it replaces " + run.dir() + " once complete");
            }
            try (Backend backend = device.open()) {
                long t0 = System.nanoTime();
                TrainingRun training = new TrainingRun(cfg, target, backend, progress, System.out);
                if (aside) training.replacing(run.dir());
                int best = training.train(resume);
                training.trainOtherMembers(resume);
                double trainSeconds = (System.nanoTime() - t0) / 1e9;
                Report report = Evaluation.ofRun(target, backend, progress);
                report.timing("train", trainSeconds);
                report.write(target.dir());
                if (aside) run.replaceWith(target);
                System.out.printf("best dev epoch: %d; model saved to %s (%.1f s)%n", best, run.model(), trainSeconds);
                report.printSummary(new PrintWriter(System.out, true));
                System.out.println("report: " + run.dir().resolve(Report.MARKDOWN_FILE));
            } catch (RuntimeException | IOException e) {
                if (!aside) throw e;
                // A replacement that failed leaves the previous run whole; its own files stay only if it can resume.
                boolean resumable = Files.isDirectory(target.checkpoint());
                if (!resumable) target.delete();
                if (!(e instanceof UserError u)) throw e;
                String more = resumable && !u.getMessage().contains(target.dir().toString())
                        ? "; the new run so far is in " + target.dir() : "";
                String still = u.getMessage().contains(run.dir() + " still holds") ? "" : "; " + run.dir() + " still holds the previous run";
                throw new UserError(u.getMessage() + more + still, u.exitCode());
            }
        }
    }

    private static UserError notARunFolder(RunFolder run) throws IOException {
        List<String> others = run.contents().others();
        return new UserError(run.dir() + " holds files that are not a pinkcnn run (" + String.join(", ",
                others.subList(0, Math.min(3, others.size()))) + (others.size() > 3 ? ", …" : "")
                + "); train writes only into a new or empty folder or a run folder: choose another --out");
    }

    /** The run's configuration from the options; names and values are checked before any data or weights load. */
    RunConfig config() {
        RunConfig c = settings();
        if (!Files.isRegularFile(Path.of(c.weights))) {
            throw new UserError(c.weights + ": no such weights file; make it with 'pinkcnn convert --from npm:nsfwjs@4.4.0 --out "
                    + c.weights + "' or pass --weights");
        }
        return c;
    }

    /** The configuration the options describe, checked but without looking at any file. */
    RunConfig settings() {
        RunConfig c = new RunConfig();
        c.alpha = alpha;
        c.head = head;
        boolean original = head == Head.ORIGINAL;
        c.cutLayer = cutLayer != null ? cutLayer : original ? Heads.ORIGINAL_CUT : RunConfig.DEFAULT_CUT;
        c.fineTuneFrom = fineTuneFrom.equals("none") || (original && fineTuneFrom.equals(RunConfig.DEFAULT_FINE_TUNE_FROM))
                ? null : fineTuneFrom;
        Backbones.checkLayers(alpha, c.cutLayer, c.fineTuneFrom);
        c.pool = pool != null ? pool : original ? Pool.NONE : DEFAULTS.pool;
        c.tta = tta != null ? tta : original ? TestTimeAugmentation.NONE : DEFAULTS.tta;
        c.bnTrain = bnTrain;
        if (ensemble < 1) throw new UserError("--ensemble must be at least 1");
        c.ensemble = ensemble;
        c.dropout = dropout;
        c.epochs = epochs;
        c.batch = batch;
        c.lr = lr;
        c.optimizer = optimizer;
        if (!(labelSmoothing >= 0f && labelSmoothing < 1f)) throw new UserError("--label-smoothing must be in [0, 1), not " + labelSmoothing);
        c.labelSmoothing = labelSmoothing;
        c.lrSchedule = lrSchedule;
        c.classWeights = classWeights;
        c.patience = patience;
        c.seed = seed;
        // Absolute, so that --resume, evaluate and predict find them from any folder.
        c.data = UserPaths.orDefault(data, DEFAULT_DATA).toAbsolutePath().normalize().toString();
        c.weights = (weights != null ? weights : DefaultWeights.path()).toAbsolutePath().normalize().toString();
        return c;
    }
}
