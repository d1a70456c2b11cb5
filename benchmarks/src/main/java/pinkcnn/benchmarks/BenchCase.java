package pinkcnn.benchmarks;

/**
 * One kernel at one shape: what it computes ({@code flops}, or 0 for data movement), how many bytes it must move at
 * least (each input read once, each output written once), and how to run it once.
 */
public record BenchCase(String op, String shape, double flops, double bytes, Runnable kernel) {}
