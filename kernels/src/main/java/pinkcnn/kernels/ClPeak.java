package pinkcnn.kernels;

/**
 * The fp32 peak kernel (peak.cl) behind {@link OpenClBackend#peakFmaKernel}: chains of float16 multiply-adds and no
 * memory traffic, launched over enough work-items to fill every compute unit.
 */
final class ClPeak {
    private static final String FILE = "peak.cl";
    /** Floats per vector and flops per multiply-add: what one chain step of one work-item computes. */
    private static final int LANES = 16, FLOPS_PER_FMA = 2;

    private final ClContext cl;
    private final int chains;
    private final long workItems;
    private ClStorage out;

    ClPeak(ClContext cl) {
        this.cl = cl;
        // CPU devices need independent chains within a work-item; GPUs get their parallelism from the work-items
        this.chains = cl.device.isGpu() ? 2 : 12;
        // several work-groups per compute unit, so no unit idles while another finishes its last group
        this.workItems = (long) Math.max(1, cl.device.computeUnits()) * (cl.device.isGpu() ? 4096 : 1024);
    }

    /** Runs {@code rounds} rounds on every work-item; returns the floating-point operations launched. */
    double run(OpenClBackend backend, int rounds) {
        if (rounds < 1) throw new IllegalArgumentException("rounds must be at least 1, not " + rounds);
        if (out == null) out = backend.allocateUninitialized(workItems);
        cl.launch1(cl.kernel(FILE, "peak_fma", "-DCHAINS=" + chains), workItems, rounds, 0.9999f, out);
        return (double) workItems * rounds * chains * LANES * FLOPS_PER_FMA;
    }
}
