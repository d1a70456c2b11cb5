package pinkcnn.trainer.train;

import java.io.IOException;
import java.nio.file.Path;
import pinkcnn.engine.backend.Backend;
import pinkcnn.engine.io.GraphWeights;
import pinkcnn.engine.io.KerasWeights;
import pinkcnn.engine.models.MobileNetV2;
import pinkcnn.engine.nn.Graph;
import pinkcnn.trainer.UserError;

/** Builds the MobileNetV2 backbone of a run and loads pretrained weights into it (checked before use). */
public final class Backbones {
    private Backbones() {}

    /** MobileNetV2 without its top, weights from a Keras-layout file (a file with a top loads too). */
    public static Graph pretrained(Backend b, double alpha, int inputSize, Path weightsFile) {
        Graph g = build(b, alpha, inputSize);
        try {
            GraphWeights.load(g, KerasWeights.read(weightsFile), "MobileNetV2 (alpha " + alpha + ")");
        } catch (IOException e) {
            throw new UserError(e.getMessage());
        }
        return g;
    }

    /** The architecture only (weights come from a run's model.h5). */
    public static Graph build(Backend b, double alpha, int inputSize) {
        try {
            return MobileNetV2.build(b, alpha, inputSize, false, 0, 1);
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage());
        }
    }
}
