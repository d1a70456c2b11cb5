package pinkcnn.benchmarks;

import java.util.Random;
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
import pinkcnn.engine.backend.ConvGeometry;
import pinkcnn.engine.backend.Storage;
import pinkcnn.kernels.OpenClBackend;

/**
 * The OpenCL kernels under JMH, every numbered version side by side: GEMM 1024³, a MobileNetV2 1×1 convolution,
 * depthwise 3×3 layers, the memory-copy kernel they are compared with, and the launch overhead (a 1-element kernel).
 * Times are wall clock per call including {@code finish()}, so they include the launch overhead that
 * {@code pinkcnn bench --device opencl} (device-side profiling events) leaves out.
 * <pre>
 *   java -jar benchmarks/target/benchmarks.jar OpenClKernelsBenchmark
 *   java -jar benchmarks/target/benchmarks.jar 'OpenClKernelsBenchmark.gemm' -p version=v4_packed
 * </pre>
 * The device is {@code -Dpinkcnn.device=opencl:P:D} (default: the first GPU, else the first CPU device).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
public class OpenClKernelsBenchmark {

    /** One backend per trial, with random inputs allocated once. */
    @State(Scope.Benchmark)
    public static class Device {
        OpenClBackend cl;
        final Random rnd = new Random(1);

        @Setup(Level.Trial)
        public void open() {
            cl = OpenClBackend.open(System.getProperty("pinkcnn.device", "opencl"));
        }

        @TearDown(Level.Trial)
        public void close() {
            cl.close();
        }

        Storage random(long n) {
            Storage s = cl.allocate(n);
            float[] v = new float[Math.toIntExact(n)];
            for (int i = 0; i < v.length; i++) v[i] = rnd.nextFloat() * 2 - 1;
            cl.write(s, 0, v, 0, v.length);
            return s;
        }
    }

    @State(Scope.Benchmark)
    public static class Gemm {
        @Param({"v1_naive", "v2_tiled", "v3_regblock", "v4_packed"})
        public String version;
        static final int N = 1024;
        Storage a, b, c;

        @Setup(Level.Trial)
        public void setUp(Device d) {
            d.cl.useVersion(OpenClBackend.GEMM, version);
            a = d.random((long) N * N);
            b = d.random((long) N * N);
            c = d.cl.allocate((long) N * N);
        }
    }

    /** C = A·B, 1024³ (2.1 GFLOP per call). */
    @Benchmark
    public void gemm(Device d, Gemm g) {
        d.cl.gemm(false, false, Gemm.N, Gemm.N, Gemm.N, 1f, g.a, 0, Gemm.N, g.b, 0, Gemm.N, 0f, g.c, 0, Gemm.N);
        d.cl.finish();
    }

    @State(Scope.Benchmark)
    public static class Pointwise {
        /** MobileNetV2's first 1×1 convolution at batch 1: a 12,544×16×32 GEMM. */
        final ConvGeometry g = new ConvGeometry(1, 112, 112, 32, 1, 1, 1, 0, 0, 0, 0, 16);
        Storage x, w, y;

        @Setup(Level.Trial)
        public void setUp(Device d) {
            x = d.random(g.inputSize());
            w = d.random((long) g.cin() * g.cout());
            y = d.cl.allocate(g.outputSize());
        }
    }

    @Benchmark
    public void conv1x1(Device d, Pointwise p) {
        d.cl.conv2d(p.g, p.x, p.w, p.y);
        d.cl.finish();
    }

    @State(Scope.Benchmark)
    public static class Depthwise {
        @Param({"v1_direct", "v2_vec", "v3_window", "v4_rows"})
        public String version;
        /** {input size, channels, stride}: MobileNetV2 layers. */
        @Param({"112x96s2", "56x144s1", "14x576s1"})
        public String layer;
        ConvGeometry g;
        Storage x, w, y;

        @Setup(Level.Trial)
        public void setUp(Device d) {
            String[] p = layer.split("[xs]");
            int size = Integer.parseInt(p[0]), c = Integer.parseInt(p[1]), stride = Integer.parseInt(p[2]);
            g = stride == 2 ? new ConvGeometry(1, size, size, c, 3, 3, 2, 0, 1, 0, 1, c)
                    : new ConvGeometry(1, size, size, c, 3, 3, 1, 1, 1, 1, 1, c);
            d.cl.useVersion(OpenClBackend.DEPTHWISE, version);
            x = d.random(g.inputSize());
            w = d.random(9L * c);
            y = d.cl.allocate(g.outputSize());
        }
    }

    @Benchmark
    public void depthwise(Device d, Depthwise s) {
        d.cl.depthwiseConv2d(s.g, s.x, s.w, s.y);
        d.cl.finish();
    }

    @State(Scope.Benchmark)
    public static class Copy {
        /** The depthwise input sizes, for the bandwidth reference. */
        @Param({"112x96", "56x144", "14x576"})
        public String tensor;
        long n;
        Storage x, y;

        @Setup(Level.Trial)
        public void setUp(Device d) {
            String[] p = tensor.split("x");
            n = (long) Integer.parseInt(p[0]) * Integer.parseInt(p[0]) * Integer.parseInt(p[1]);
            x = d.random(n);
            y = d.cl.allocate(n);
        }
    }

    @Benchmark
    public void memoryCopy(Device d, Copy c) {
        d.cl.memoryCopyKernel(c.n, c.x, c.y);
        d.cl.finish();
    }

    @State(Scope.Benchmark)
    public static class One {
        Storage x;

        @Setup(Level.Trial)
        public void setUp(Device d) {
            x = d.cl.allocate(1);
        }
    }

    /** Launch overhead: one 1-element kernel and the wait for it. */
    @Benchmark
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public void launch(Device d, One o) {
        d.cl.scale(1, 1f, o.x, o.x);
        d.cl.finish();
    }
}
