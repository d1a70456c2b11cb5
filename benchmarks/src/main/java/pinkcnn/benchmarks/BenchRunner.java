package pinkcnn.benchmarks;

import java.util.Arrays;

/** Runs a case until it has enough samples (after warm-up) and returns the median time of one run. */
public final class BenchRunner {
    private final KernelTimer timer;
    private final double minSeconds;

    public BenchRunner(KernelTimer timer, double minSeconds) {
        this.timer = timer;
        this.minSeconds = minSeconds;
    }

    public double medianMillis(Runnable kernel) {
        // Warm-up (JIT compilation, caches, buffer pools): at least 3 runs and 0.2 s.
        long warmEnd = System.nanoTime() + 200_000_000L;
        for (int i = 0; i < 3 || System.nanoTime() < warmEnd; i++) timer.timeMillis(kernel);
        double[] samples = new double[200];
        int n = 0;
        double total = 0;
        while (n < samples.length && (n < 5 || total < minSeconds * 1e3)) {
            samples[n] = timer.timeMillis(kernel);
            total += samples[n++];
        }
        return median(samples, n);
    }

    /** The median of the first n values. */
    static double median(double[] values, int n) {
        double[] s = Arrays.copyOf(values, n);
        Arrays.sort(s);
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }
}
