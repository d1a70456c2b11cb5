package pinkcnn.trainer.train;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import pinkcnn.engine.io.AtomicFiles;
import pinkcnn.trainer.Choice;
import pinkcnn.trainer.data.Preprocessing;

/**
 * Everything that defines a training run, saved as {@code run.json} in the run folder so that {@code evaluate},
 * {@code predict} and {@code --resume} rebuild exactly the same model and preprocessing. Every setting is written,
 * so run.json records what the run used; choices are written as users type them ("grid3", "cosine").
 *
 * <p>The initial values below are the defaults of {@code pinkcnn train} and are defined nowhere else: the command
 * takes its option defaults from a fresh RunConfig. They were chosen by dev accuracy and cross-validation on face
 * photos (docs/training-study.md). A run.json written before an option existed lacks its field and reads the initial value,
 * so tta, lrSchedule, labelSmoothing and ensemble must keep meaning what runs did before those options (none,
 * constant, 0, 1). Unknown fields, such as the {@code device} and {@code weightDecay} of older runs, are ignored.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public final class RunConfig {
    /** The defaults that the help of {@code train} names (annotations need constant text). */
    public static final String DEFAULT_CUT = "block_13_expand_relu";
    public static final String DEFAULT_FINE_TUNE_FROM = "block_12_expand";
    public static final String DEFAULT_POOL = "grid3";
    public static final String DEFAULT_TTA = "none";

    // data and weights
    public String data;
    public String weights;
    public double alpha = 1.0;
    public List<String> classes = new ArrayList<>();
    public int inputSize = 224;
    /** From the prepared data (what prepare did), so predict treats new photos the same way. */
    public Preprocessing.Crop crop = Preprocessing.Crop.CENTER;
    public double cropFraction = Preprocessing.DEFAULT_CROP_FRACTION;

    // model
    public String cutLayer = DEFAULT_CUT;
    /** First backbone layer that trains (null: the backbone is frozen and its features are cached). */
    public String fineTuneFrom = DEFAULT_FINE_TUNE_FROM;
    public boolean bnTrain;
    /** Host-side pooling of frozen features; a fine-tuned run pools inside the model. */
    public Pool pool = Choice.parse(Pool.class, DEFAULT_POOL, "pool");
    public Head head = Head.LINEAR;
    public float dropout = 0.5f;
    /** Test-time augmentation of dev, test and predicted photos. */
    public TestTimeAugmentation tta = Choice.parse(TestTimeAugmentation.class, DEFAULT_TTA, "tta");

    // optimisation
    public int epochs = 30;
    public int batch = 32;
    public float lr = 1e-3f;
    public OptimizerKind optimizer = OptimizerKind.ADAM;
    public LearningRateSchedule lrSchedule = LearningRateSchedule.CONSTANT;
    /** ε of label smoothing in the training loss (0: one-hot targets). */
    public float labelSmoothing = 0f;
    public ClassWeights classWeights = ClassWeights.AUTO;
    /** Stop after this many epochs without a better dev accuracy. */
    public int patience = 10;
    public long seed = 42;
    /** Models trained with seeds seed, seed+1, …, whose class probabilities are averaged (1: a single model). */
    public int ensemble = 1;

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public void write(Path file) throws IOException {
        AtomicFiles.writeString(file, JSON.writeValueAsString(this));
    }

    public static RunConfig read(Path file) throws IOException {
        return JSON.readValue(file.toFile(), RunConfig.class);
    }

    /** The configuration of ensemble member k: the same settings with seed + k, as a single model. */
    public RunConfig member(int k) {
        RunConfig c = JSON.convertValue(this, RunConfig.class);
        c.seed = seed + k;
        c.ensemble = 1;
        return c;
    }

    /** True when the backbone is frozen entirely (features computed once and cached). */
    public boolean frozen() {
        return fineTuneFrom == null || fineTuneFrom.isBlank();
    }
}
