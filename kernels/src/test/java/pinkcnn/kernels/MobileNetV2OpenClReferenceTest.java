package pinkcnn.kernels;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import pinkcnn.engine.Autograd;
import pinkcnn.engine.Tensor;
import pinkcnn.engine.TensorScope;
import pinkcnn.engine.io.GraphWeights;
import pinkcnn.engine.models.MobileNetV2;
import pinkcnn.engine.nn.Graph;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import pinkcnn.engine.io.KerasWeights;
import pinkcnn.engine.models.MobileNetV2ReferenceTest;
import pinkcnn.engine.reference.ReferenceCase;
import pinkcnn.engine.reference.SharedData;

/**
 * The MobileNetV2 reference checks of the engine, on the OpenCL backend: every named layer of every TF.js fixture
 * within 1e-4·max(1, max |reference|).
 */
class MobileNetV2OpenClReferenceTest {
    private static KerasWeights weights;

    @BeforeAll
    static void load() throws IOException {
        weights = KerasWeights.read(SharedData.mobilenetV2Weights());
    }

    /** A plain forward pass (batch norm and ReLU6 fused) against TF.js's out_relu for ../shared/reference/random_lcg. */
    @Test
    void fusedForwardPassMatchesTfjs() throws IOException {
        java.nio.file.Path dir = SharedData.require("reference/random_lcg");
        try (OpenClBackend cl = OpenClTestDevice.open();
             TensorScope scope = TensorScope.open(); Autograd.AutoCloseableNoThrow ng = Autograd.noGrad()) {
            Graph g = MobileNetV2.build(cl, 1.0, 224, false, 0, 1);
            GraphWeights.load(g, weights, "MobileNetV2");
            Tensor x = Tensor.of(cl, MobileNetV2ReferenceTest.readF32(dir.resolve("input.f32")), 1, 224, 224, 3);
            float[] got = g.forward(x, "out_relu").toArray(), ref = MobileNetV2ReferenceTest.readF32(dir.resolve("out_relu.f32"));
            double maxDiff = 0;
            for (int i = 0; i < ref.length; i++) maxDiff = Math.max(maxDiff, Math.abs(ref[i] - got[i]));
            assertTrue(maxDiff <= 6e-4, "out_relu max |diff| " + maxDiff + " > 1e-4·6");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {ReferenceCase.LCG_64, ReferenceCase.BATCH2_48, ReferenceCase.LCG_224})
    void everyNamedLayerMatchesTfjs(String caseName) throws IOException {
        try (OpenClBackend cl = OpenClTestDevice.open()) {
            List<String> failures = MobileNetV2ReferenceTest.checkCase(cl, weights, ReferenceCase.load(caseName));
            assertTrue(failures.isEmpty(), String.join("\n", failures));
        }
    }
}
