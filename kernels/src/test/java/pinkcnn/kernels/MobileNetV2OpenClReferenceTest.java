package pinkcnn.kernels;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
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

    @ParameterizedTest
    @ValueSource(strings = {ReferenceCase.LCG_64, ReferenceCase.BATCH2_48, ReferenceCase.LCG_224})
    void everyNamedLayerMatchesTfjs(String caseName) throws IOException {
        try (OpenClBackend cl = OpenClTestDevice.open()) {
            List<String> failures = MobileNetV2ReferenceTest.checkCase(cl, weights, ReferenceCase.load(caseName));
            assertTrue(failures.isEmpty(), String.join("\n", failures));
        }
    }
}
