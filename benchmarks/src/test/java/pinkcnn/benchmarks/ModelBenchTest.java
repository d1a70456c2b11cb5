package pinkcnn.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import pinkcnn.engine.cpu.CpuBackend;

/** The face detector's forward pass is timed like MobileNetV2's, with its time split by layer type. */
class ModelBenchTest {

    @Test
    void timesTheFaceDetector() {
        try (CpuBackend cpu = new CpuBackend(0)) {
            ModelBench.Result r = ModelBench.run(cpu, "ssd-mobilenetv1", 1, 0.1);
            assertTrue(r.imagesPerSecond() > 0 && r.msPerImage() > 0, r.toString());
            assertEquals(1.0, r.shares().values().stream().mapToDouble(Double::doubleValue).sum(), 1e-9);
            assertTrue(r.shares().get("conv 1x1") > r.shares().getOrDefault("other", 0.0), r.shares().toString());
            assertTrue(r.shares().containsKey("depthwise") && r.shares().containsKey("conv 3x3"), r.shares().toString());
            assertEquals(512, ModelBench.inputSize("ssd-mobilenetv1"));
            assertThrows(IllegalArgumentException.class, () -> ModelBench.run(cpu, "resnet", 1, 0.1));
        }
    }
}
