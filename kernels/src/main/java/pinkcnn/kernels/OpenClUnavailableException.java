package pinkcnn.kernels;

/**
 * No usable OpenCL: the library (libOpenCL) is missing, no platform (driver) is installed, or the requested device does
 * not exist. The message is one line and says how to fix it.
 */
public final class OpenClUnavailableException extends RuntimeException {
    /** What to install, for messages. */
    public static final String INSTALL_HINT = "install an OpenCL driver, e.g. 'sudo apt-get install ocl-icd-libopencl1 "
            + "pocl-opencl-icd' for the CPU (PoCL), or your GPU vendor's OpenCL runtime";

    public OpenClUnavailableException(String message) {
        super(message);
    }

    public OpenClUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
