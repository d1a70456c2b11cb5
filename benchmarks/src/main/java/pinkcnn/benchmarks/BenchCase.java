package pinkcnn.benchmarks;

import pinkcnn.engine.backend.Storage;

/**
 * One kernel at one shape: what it computes ({@code flops}, or 0 for data movement), how many bytes it must move at
 * least (each input read once, each output written once), how to run it once, and where it writes its result (null
 * where nothing checks it; the tuner compares it with the reference kernel's).
 */
public record BenchCase(String op, String shape, double flops, double bytes, Runnable kernel, Storage output) {
    public BenchCase(String op, String shape, double flops, double bytes, Runnable kernel) {
        this(op, shape, flops, bytes, kernel, null);
    }
}
