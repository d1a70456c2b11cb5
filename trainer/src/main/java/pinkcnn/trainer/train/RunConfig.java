package pinkcnn.trainer.train;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import pinkcnn.engine.io.AtomicFiles;

/**
 * Everything that defines a training run, saved as {@code run.json} in the run folder so that {@code evaluate},
 * {@code predict} and {@code --resume} rebuild exactly the same model and preprocessing.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public final class RunConfig {
    /** Defaults: chosen by dev accuracy on face photos (see the README's "Choosing the defaults"). */
    public static final String DEFAULT_CUT = "block_13_expand_relu";
    public static final String DEFAULT_HEAD = "linear";
    public static final String DEFAULT_POOL = "grid3";
    public static final String DEFAULT_FINE_TUNE_FROM = "block_12_expand";
    public static final String DEFAULT_LABEL_SMOOTHING = "0";

    // data and weights
    public String data;
    public String weights;
    public double alpha = 1.0;
    public List<String> classes = new ArrayList<>();
    public int inputSize = 224;
    public String crop = "center";
    public double cropFraction = pinkcnn.trainer.data.Preprocessing.DEFAULT_CROP_FRACTION;

    // model
    public String cutLayer = DEFAULT_CUT;
    /** First backbone layer that trains (null: the backbone is frozen and its features are cached). */
    public String fineTuneFrom;
    public boolean bnTrain;
    /** Host-side pooling of frozen features: none, gap (global average), grid2 (2×2 grid average). */
    public String pool = DEFAULT_POOL;
    public String head = DEFAULT_HEAD;
    public float dropout = 0.2f;
    /** Test-time augmentation of dev, test and predicted photos: none or flip ({@link TestTimeAugmentation}). */
    public String tta = "none";

    // optimisation
    public int epochs = 20;
    public int batch = 32;
    public float lr = 1e-3f;
    public String optimizer = "adam";
    /** constant or cosine ({@link LearningRateSchedule}). */
    public String lrSchedule = "constant";
    /** ε of label smoothing in the training loss (0: one-hot targets). */
    public float labelSmoothing = 0f;
    public String classWeights = "auto";
    public int patience = 5;
    public long seed = 42;
    public String device = "auto";
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

    public TestTimeAugmentation testTimeAugmentation() {
        return TestTimeAugmentation.parse(tta);
    }

    /** True when the backbone is frozen entirely (features computed once and cached). */
    public boolean frozen() {
        return fineTuneFrom == null || fineTuneFrom.isBlank();
    }
}
