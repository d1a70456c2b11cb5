package pinkcnn.benchmarks;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import pinkcnn.engine.bench.BenchCase;
import pinkcnn.engine.bench.KernelCases;
import pinkcnn.engine.cpu.CpuBackend;

/**
 * The CPU backend's kernels on the shapes of {@code pinkcnn bench} (the same {@link KernelCases}), one JMH benchmark
 * per (op, case). Run: {@code java --add-modules jdk.incubator.vector -jar benchmarks/target/benchmarks.jar Cpu}
 * (add {@code -p threads=1} for one thread). GFLOP/s = the case's flops / the reported time.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx4g", "-XX:CompileCommand=quiet",
        "-XX:CompileCommand=dontinline,pinkcnn.engine.cpu.CpuGemm::tile*", "-XX:CompileCommand=dontinline,pinkcnn.engine.cpu.CpuGemm::row"})
public class CpuKernelsBenchmark {
    @Param({"gemm:0", "conv1x1:0", "conv1x1:1", "conv1x1:2", "conv1x1:3", "conv1x1:4", "conv1x1:5", "conv1x1:6",
            "conv1x1:7", "depthwise:0", "depthwise:1", "depthwise:2", "conv3x3:0", "pool:0", "pool:1", "pool:2"})
    public String kernel;

    @Param({"2"})
    public int threads;

    private CpuBackend backend;
    private Runnable run;

    @Setup(Level.Trial)
    public void setup() {
        backend = new CpuBackend(threads);
        String[] k = kernel.split(":");
        List<BenchCase> cases = new KernelCases(backend).cases(k[0]);
        run = cases.get(Integer.parseInt(k[1])).kernel();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        backend.close();
    }

    @Benchmark
    public void kernel() {
        run.run();
    }
}
