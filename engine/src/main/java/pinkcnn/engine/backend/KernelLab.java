package pinkcnn.engine.backend;

import java.util.List;

/**
 * What a backend may offer, beside the {@link Backend} contract, for measuring and comparing its own kernels: numbered
 * versions of a kernel family to switch between, device-side timing, a memory-copy kernel as the bandwidth
 * reference, and a kernel of multiply-adds that measures the fp32 peak. The benchmarks ({@code pinkcnn bench}) reach a
 * backend's kernels only through this and {@link Backend}; a backend without it (the CPU backend: one version per
 * kernel, timed by the wall clock) gets the common cases only.
 */
public interface KernelLab {
    /** Family names the benchmarks map their ops to: GEMM (also under the convolutions), depthwise convolution. */
    String GEMM = "gemm", DEPTHWISE = "depthwise";

    /** The families that have numbered versions. */
    List<String> families();

    /** The numbered versions of a family, oldest first; an {@link IllegalArgumentException} for other families. */
    List<String> versions(String family);

    /** The version of a family this backend runs now (its fastest for the device unless changed). */
    String version(String family);

    /** Runs {@code family} in version {@code version} from now on. */
    void useVersion(String family, String version);

    /** Runs {@code work} with {@code family} in {@code version}, then switches back to the version it found. */
    default void withVersion(String family, String version, Runnable work) {
        String previous = version(family);
        useVersion(family, version);
        try {
            work.run();
        } finally {
            useVersion(family, previous);
        }
    }

    /**
     * Runs {@code work}, waits for it, and returns the device time of the kernels it launched, in nanoseconds (what the
     * device spent, without the host's cost of launching them).
     */
    long deviceNanos(Runnable work);

    /** {@code y[0, n) = x[0, n)} by a kernel (not the runtime's copy): the bandwidth a memory-bound kernel can reach. */
    void memoryCopyKernel(long n, Storage x, Storage y);

    /**
     * The fp32 peak kernel, as clpeak measures it: independent chains of multiply-adds on the device's vectors, with
     * no memory traffic to speak of, over enough work to fill the device; {@code rounds} sets how long it runs. Returns
     * the floating-point operations it launched (time it with {@link #deviceNanos}). A backend without such a kernel
     * throws {@link UnsupportedOperationException}.
     */
    default double peakFmaKernel(int rounds) {
        throw new UnsupportedOperationException("no peak kernel on this backend");
    }
}
