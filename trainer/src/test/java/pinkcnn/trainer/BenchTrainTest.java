package pinkcnn.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code pinkcnn bench --model mobilenetv2 --train}: the training step of the fine-tuned part, through the CLI. */
class BenchTrainTest {
    @RegisterExtension
    static final OwnCache CACHE = new OwnCache();

    @Test
    void reportsSamplesPerSecondPhasesAndLayersOfTheFineTunedPart() throws Exception {
        BenchRun r = BenchRun.of("bench", "--model", "mobilenetv2", "--train", "--batch", "2", "--input-size", "64",
                "--device", "cpu", "--threads", "1", "--min-time", "0", "--json");
        assertEquals(0, r.rc(), r.out() + r.err());
        JsonNode all = new ObjectMapper().readTree(r.out());
        JsonNode row = all.get("results").get(0);
        assertEquals("mobilenetv2-train", row.get("op").asText());
        assertEquals(2, row.get("batch").asInt());
        assertEquals("block_12_expand", row.get("fine_tune_from").asText(), "train's default");
        assertEquals("block_13_expand_relu", row.get("cut_layer").asText(), "train's default");
        assertTrue(row.get("samples_per_s").asDouble() > 0 && row.get("trained_parameters").asLong() > 0, row.toString());
        for (String phase : new String[] {"forward: backbone layers", "forward: head and loss", "backward", "optimizer"}) {
            assertTrue(row.get("phase_ms").has(phase), phase + " in " + row);
        }
        JsonNode layers = all.get("layers");
        assertEquals("block_12_expand", layers.get(0).get("layer").asText(), layers.toString());
        for (JsonNode l : layers) {
            String name = l.get("layer").asText();
            assertTrue(name.startsWith("block_12_") || name.startsWith("block_13_expand"), "only trained layers: " + name);
        }
    }

    @Test
    void theTableAndItsOptions() {
        BenchRun r = BenchRun.of("bench", "--model", "mobilenetv2", "--train", "--batch", "1", "--input-size", "64",
                "--device", "cpu", "--threads", "1", "--min-time", "0", "--fine-tune-from", "block_13_expand");
        assertEquals(0, r.rc(), r.out() + r.err());
        assertTrue(r.out().contains("training step, block_13_expand ... block_13_expand_relu + head")
                && r.out().contains("samples/s") && r.out().contains("backward"), r.out());

        BenchRun noModel = BenchRun.of("bench", "--train", "--device", "cpu");
        assertEquals(2, noModel.rc());
        assertTrue(noModel.oneLineError() && noModel.err().contains("add --model mobilenetv2"), noModel.err());
        BenchRun badLayer = BenchRun.of("bench", "--model", "mobilenetv2", "--train", "--device", "cpu", "--fine-tune-from", "block_99");
        assertEquals(2, badLayer.rc());
        assertTrue(badLayer.oneLineError() && badLayer.err().contains("not a MobileNetV2 layer"), badLayer.err());
    }
}
