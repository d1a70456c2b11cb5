package pinkcnn.kernels;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Assumptions;

/**
 * The OpenCL backend for tests. Without a device the tests skip with a message, unless the environment sets
 * {@code PINKCNN_REQUIRE_OPENCL=1} (CI does, after installing PoCL): then the missing device is a failure.
 */
final class OpenClTestDevice {
    private OpenClTestDevice() {}

    static final String REQUIRE = "PINKCNN_REQUIRE_OPENCL";

    static boolean required() {
        return "1".equals(System.getenv(REQUIRE));
    }

    /** Opens the default OpenCL device, or skips / fails as described above. */
    static OpenClBackend open() {
        try {
            return OpenClBackend.open("opencl");
        } catch (OpenClUnavailableException e) {
            if (required()) fail(REQUIRE + "=1 but no OpenCL device is usable: " + e.getMessage());
            Assumptions.abort("no OpenCL device, OpenCL tests skipped (set " + REQUIRE + "=1 to fail instead): " + e.getMessage());
            throw e; // not reached
        }
    }
}
