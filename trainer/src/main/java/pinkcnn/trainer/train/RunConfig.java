package pinkcnn.trainer.train;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import pinkcnn.engine.io.AtomicFiles;
import pinkcnn.trainer.Choice;
import pinkcnn.trainer.data.DatasetReader;
import pinkcnn.trainer.data.Preprocessing;
import pinkcnn.trainer.face.FaceChoice;
import pinkcnn.trainer.face.FaceDetector;

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
    /** With {@code crop} face: how the faces were found and cropped (absent from run.json otherwise). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public FaceCrop face;

    /** A face crop's settings, as prepare recorded them in the training data. */
    public static final class FaceCrop {
        /** The margin around the face box, as a fraction of its longer side. */
        public double margin = Preprocessing.DEFAULT_FACE_MARGIN;
        /** The score a face needed. */
        public double minScore = FaceDetector.DEFAULT_MIN_SCORE;
        /** Which faces of a photo with several became samples. */
        public FaceChoice faces = FaceChoice.LARGEST;
    }

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

    /** How photos become inputs, as the training data was made. */
    public Preprocessing preprocessing() {
        return new Preprocessing(inputSize, crop, cropFraction, faceCrop().margin);
    }

    /** The face-crop settings (defaults where run.json has none). */
    public FaceCrop faceCrop() {
        return face != null ? face : new FaceCrop();
    }

    /** Takes the crop (and, for face crops, the detector's settings) that prepare recorded in a dataset file. */
    public void takePreprocessing(DatasetReader data) {
        data.preprocessing().ifPresent(p -> {
            crop = p.crop();
            cropFraction = p.cropFraction();
            face = null;
            if (crop != Preprocessing.Crop.FACE) return;
            face = new FaceCrop();
            face.margin = p.faceMargin();
            try {
                String score = data.attributes().get("face_min_score"), chosen = data.attributes().get("faces");
                if (score != null) face.minScore = Double.parseDouble(score);
                if (chosen != null) face.faces = Choice.parse(FaceChoice.class, chosen, "faces");
            } catch (IllegalArgumentException e) {
                // a file written by something else: keep the defaults
            }
        });
    }

    /** True when the backbone is frozen entirely (features computed once and cached). */
    public boolean frozen() {
        return fineTuneFrom == null || fineTuneFrom.isBlank();
    }
}
