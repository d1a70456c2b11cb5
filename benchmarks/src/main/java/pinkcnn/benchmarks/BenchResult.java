package pinkcnn.benchmarks;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The measured speed of one {@link BenchCase}: the JSON row of {@code pinkcnn bench --json}. {@code intensity} is the
 * case's arithmetic intensity, flops per byte moved (its x on a roofline; 0 when it moves nothing); {@code
 * peak_fraction} is GFLOP/s over the peak the bench used (the measured one unless given, see {@link PeakBench}).
 */
public record BenchResult(
        @JsonProperty("op") String op,
        @JsonProperty("device") String device,
        @JsonProperty("shape") String shape,
        @JsonProperty("threads") int threads,
        @JsonProperty("median_ms") double medianMs,
        @JsonProperty("gflops") double gflops,
        @JsonProperty("gbps") double gbps,
        @JsonProperty("intensity") double intensity,
        @JsonProperty("peak_fraction") double peakFraction) {

    public static BenchResult of(BenchCase c, String device, int threads, double medianMs, double peakGflops) {
        double seconds = medianMs / 1e3;
        double gflops = c.flops() / seconds / 1e9;
        return new BenchResult(c.op(), device, c.shape(), threads, medianMs, gflops, c.bytes() / seconds / 1e9,
                c.bytes() > 0 ? c.flops() / c.bytes() : 0, gflops / peakGflops);
    }
}
