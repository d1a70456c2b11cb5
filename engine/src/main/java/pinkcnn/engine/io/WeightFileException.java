package pinkcnn.engine.io;

import java.io.IOException;

/**
 * A weights file that cannot be used: not HDF5, truncated, not in the Keras layout, or not fitting the model (a missing
 * layer, a wrong shape). The message names the file and the problem, ready to show to a user.
 */
public class WeightFileException extends IOException {
    public WeightFileException(String message) {
        super(message);
    }

    public WeightFileException(String message, Throwable cause) {
        super(message, cause);
    }
}
