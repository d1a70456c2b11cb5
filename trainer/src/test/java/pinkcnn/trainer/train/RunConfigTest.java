package pinkcnn.trainer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pinkcnn.trainer.data.Preprocessing;

/** run.json: runs written before the settings were typed still read, and the format stays what they wrote. */
class RunConfigTest {
    @TempDir
    Path tmp;

    /** As written just before the settings became enums: every choice a string, and the unused "device". */
    static final String BEFORE_ENUMS = """
            {
              "data" : "datasets/prepared",
              "weights" : "weights.h5",
              "alpha" : 1.0,
              "classes" : [ "Ariel_Sharon", "Hugo_Chavez" ],
              "inputSize" : 96,
              "crop" : "center",
              "cropFraction" : 0.7,
              "cutLayer" : "block_14_expand_relu",
              "fineTuneFrom" : "block_13_expand",
              "bnTrain" : false,
              "pool" : "grid2",
              "head" : "mlp",
              "dropout" : 0.3,
              "tta" : "flip",
              "epochs" : 12,
              "batch" : 8,
              "lr" : 0.01,
              "optimizer" : "sgd",
              "lrSchedule" : "cosine",
              "labelSmoothing" : 0.1,
              "classWeights" : "auto",
              "patience" : 4,
              "seed" : 7,
              "device" : "auto",
              "ensemble" : 2
            }""";

    /** As the first version wrote it: before --tta, --lr-schedule, --label-smoothing and --ensemble, with weightDecay. */
    static final String FIRST_VERSION = """
            {
              "data" : "datasets/prepared",
              "weights" : "weights.h5",
              "alpha" : 1.0,
              "classes" : [ "a", "b", "c" ],
              "inputSize" : 224,
              "crop" : "none",
              "cropFraction" : 0.6,
              "cutLayer" : "Conv_1_bn",
              "fineTuneFrom" : null,
              "bnTrain" : false,
              "pool" : "none",
              "head" : "original",
              "dropout" : 0.2,
              "epochs" : 20,
              "batch" : 32,
              "lr" : 0.001,
              "optimizer" : "adam",
              "weightDecay" : 0.0,
              "classWeights" : "balanced",
              "patience" : 5,
              "seed" : 42,
              "device" : "opencl"
            }""";

    @Test
    void readsARunJsonWrittenBeforeTheSettingsWereTyped() throws IOException {
        RunConfig c = RunConfig.read(Files.writeString(tmp.resolve("run.json"), BEFORE_ENUMS));
        assertEquals(List.of("Ariel_Sharon", "Hugo_Chavez"), c.classes);
        assertEquals(96, c.inputSize);
        assertEquals(Preprocessing.Crop.CENTER, c.crop);
        assertEquals("block_14_expand_relu", c.cutLayer);
        assertEquals("block_13_expand", c.fineTuneFrom);
        assertEquals(Pool.GRID2, c.pool);
        assertEquals(Head.MLP, c.head);
        assertEquals(TestTimeAugmentation.FLIP, c.tta);
        assertEquals(OptimizerKind.SGD, c.optimizer);
        assertEquals(LearningRateSchedule.COSINE, c.lrSchedule);
        assertEquals(ClassWeights.AUTO, c.classWeights);
        assertEquals(0.1f, c.labelSmoothing);
        assertEquals(12, c.epochs);
        assertEquals(0.3f, c.dropout);
        assertEquals(4, c.patience);
        assertEquals(2, c.ensemble);

        // written again: the same fields and spellings, less the device that nothing read
        JsonNode before = new ObjectMapper().readTree(BEFORE_ENUMS);
        ((com.fasterxml.jackson.databind.node.ObjectNode) before).remove("device");
        c.write(tmp.resolve("again.json"));
        assertEquals(before, new ObjectMapper().readTree(tmp.resolve("again.json").toFile()));
    }

    @Test
    void readsTheFirstVersionsRunJson() throws IOException {
        RunConfig c = RunConfig.read(Files.writeString(tmp.resolve("run.json"), FIRST_VERSION));
        assertEquals(Preprocessing.Crop.NONE, c.crop);
        assertNull(c.fineTuneFrom);
        assertTrue(c.frozen());
        assertEquals(Pool.NONE, c.pool);
        assertEquals(Head.ORIGINAL, c.head);
        assertEquals(OptimizerKind.ADAM, c.optimizer);
        assertEquals(ClassWeights.NONE, c.classWeights, "any text but auto trained unweighted");
        assertEquals(20, c.epochs);
        assertEquals(0.2f, c.dropout);
        assertEquals(5, c.patience);
        // options that came later read as what runs did before them
        assertEquals(TestTimeAugmentation.NONE, c.tta);
        assertEquals(LearningRateSchedule.CONSTANT, c.lrSchedule);
        assertEquals(0f, c.labelSmoothing);
        assertEquals(1, c.ensemble);
    }

    @Test
    void aFreshConfigWritesEverySettingAsUsersSpellIt() throws IOException {
        new RunConfig().write(tmp.resolve("run.json"));
        JsonNode j = new ObjectMapper().readTree(tmp.resolve("run.json").toFile());
        assertEquals("grid3", j.get("pool").asText());
        assertEquals("linear", j.get("head").asText());
        assertEquals("none", j.get("tta").asText());
        assertEquals("adam", j.get("optimizer").asText());
        assertEquals("constant", j.get("lrSchedule").asText());
        assertEquals("auto", j.get("classWeights").asText());
        assertEquals("center", j.get("crop").asText());
        assertEquals(30, j.get("epochs").asInt());
        assertEquals(0.5, j.get("dropout").asDouble());
        assertEquals(10, j.get("patience").asInt());
        assertEquals("block_12_expand", j.get("fineTuneFrom").asText());
        assertFalse(j.has("device"));
    }
}
