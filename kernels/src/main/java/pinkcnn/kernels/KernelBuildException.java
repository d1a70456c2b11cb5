package pinkcnn.kernels;

/** An OpenCL program failed to compile: names the kernel file and the build options, and carries the compiler log. */
public final class KernelBuildException extends RuntimeException {
    private final String file;
    private final String log;

    public KernelBuildException(String file, String options, String device, String log) {
        super("OpenCL kernel file " + file + " failed to build for " + device
                + (options.isBlank() ? "" : " (options: " + options.trim() + ")") + ":\n" + log.strip());
        this.file = file;
        this.log = log;
    }

    /** The kernel source's resource name, e.g. {@code gemm.cl}. */
    public String file() {
        return file;
    }

    /** The compiler's build log. */
    public String log() {
        return log;
    }
}
