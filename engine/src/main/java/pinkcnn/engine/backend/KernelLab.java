package pinkcnn.engine.backend;

import java.util.List;
import java.util.Map;

/**
 * What a backend may offer, beside the {@link Backend} contract, for measuring and comparing its own kernels: numbered
 * versions of a kernel family to switch between, device-side timing, a memory-copy kernel as the bandwidth
 * reference, and a kernel of multiply-adds that measures the fp32 peak. The benchmarks ({@code pinkcnn bench}) reach a
 * backend's kernels only through this and {@link Backend}; a backend without it (the CPU backend: one version per
 * kernel, timed by the wall clock) gets the common cases only.
 */
public interface KernelLab extends NumberedVersions {
    /**
     * Family names the benchmarks map their ops to: GEMM (also under the convolutions), depthwise convolution, the
     * whole inverted-residual block.
     */
    String GEMM = "gemm", DEPTHWISE = "depthwise", BLOCK = "block";

    /** The families that have numbered versions ({@link NumberedVersions}). */
    List<String> families();

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

    /**
     * Families whose kernels take compile-time parameters a tuner may set (tile sizes, work-group sizes, vector
     * widths; {@code pinkcnn bench --tune}). Their first numbered version is the reference a tuned kernel must agree
     * with.
     */
    default List<String> tunableFamilies() {
        return List.of();
    }

    /** The values worth trying for each parameter of a family on this device, in the order a search tries them. */
    default Map<String, List<Integer>> tuningSpace(String family) {
        throw new IllegalArgumentException("nothing to tune in '" + family + "' on this backend");
    }

    /** The parameters of a family in use now. */
    default Map<String, Integer> tuning(String family) {
        throw new IllegalArgumentException("nothing to tune in '" + family + "' on this backend");
    }

    /** The parameters the device type gets when nothing was tuned or set. */
    default Map<String, Integer> defaultTuning(String family) {
        throw new IllegalArgumentException("nothing to tune in '" + family + "' on this backend");
    }

    /**
     * Runs {@code family} with these parameters from now on (parameters left out keep their value); an
     * {@link IllegalArgumentException} names an unknown parameter or a value out of range.
     */
    default void useTuning(String family, Map<String, Integer> values) {
        throw new IllegalArgumentException("nothing to tune in '" + family + "' on this backend");
    }
}
