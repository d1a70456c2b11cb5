package pinkcnn.trainer.export;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import pinkcnn.engine.Autograd;
import pinkcnn.engine.Tensor;
import pinkcnn.engine.TensorScope;
import pinkcnn.engine.backend.Backend;
import pinkcnn.engine.nn.Conv2d;
import pinkcnn.engine.nn.Graph;
import pinkcnn.engine.nn.Layer;
import pinkcnn.engine.nn.Parameter;

/**
 * pinkcnn and ONNX Runtime side by side on the same model in the same process: the graph is exported to ONNX
 * ({@link ModelExport#onnxBackbone}), loaded in ONNX Runtime's CPU execution provider with the same thread count, both
 * are run on the same NHWC input, their outputs must agree, and then they are timed alternately, pass after pass, so
 * that both see the same machine load. The figure the performance work is judged by
 * ({@code pinkcnn bench --model mobilenetv2 --against onnxruntime}).
 *
 * <p>Each timed pass is what a Java caller pays: copy the input in, run, get the output as floats out.
 */
public final class OnnxRuntimeBench {
    /** Both runtimes must agree on every element within this much times max(1, |ONNX Runtime's value|). */
    public static final double TOLERANCE = 1e-4;
    /**
     * Test hook: with this system property set to {@code pinkcnn}, one weight of pinkcnn's model is changed after the
     * export, so the two runtimes run different models and the agreement check must fail.
     */
    public static final String CORRUPT_PROPERTY = "pinkcnn.bench.corrupt";

    /** One runtime's row of the JSON output. */
    public record Row(@JsonProperty("runtime") String runtime, @JsonProperty("device") String device,
                      @JsonProperty("batch") int batch, @JsonProperty("threads") int threads,
                      @JsonProperty("images_per_s") double imagesPerSecond,
                      @JsonProperty("ms_per_image") double msPerImage) {}

    /**
     * Both rows, and the ratio pinkcnn images/s ÷ ONNX Runtime images/s: the median of the ratios of neighbouring
     * passes (they share the machine's momentary load) and their lowest and highest; {@code maxError} is the largest
     * |pinkcnn − ONNX Runtime| / max(1, |ONNX Runtime|) over the output, {@code maxOutput} the largest |value|.
     */
    public record Result(List<Row> rows, double ratio, double ratioLow, double ratioHigh, int pairs, double maxError,
                         double maxOutput) {}

    /** Raised when the runtimes' outputs disagree (before any timing). */
    public static final class Disagreement extends RuntimeException {
        Disagreement(String message) {
            super(message);
        }
    }

    private OnnxRuntimeBench() {}

    /**
     * @param graph   the model, up to its last layer, with an image input; both runtimes run it on {@code batch}
     *                random images
     * @param threads ONNX Runtime's intra-op threads: pinkcnn's own thread count
     */
    public static Result run(Backend backend, Graph graph, int batch, int threads, double minSeconds) throws OrtException {
        String last = graph.lastLayer();
        byte[] onnx = ModelExport.onnxBackbone(graph, last, 1.0);
        if ("pinkcnn".equals(System.getProperty(CORRUPT_PROPERTY))) corruptOneWeight(graph);
        int[] in = graph.outputShape(Graph.INPUT);
        float[] x = pinkcnn.benchmarks.ModelBench.input(batch, in[1], in[2], in[3], 3);
        long[] shape = {batch, in[1], in[2], in[3]};
        // ONNX Runtime reads a direct buffer in place: the input is copied into it each pass, as pinkcnn copies it
        // into a storage of its backend
        FloatBuffer direct = java.nio.ByteBuffer.allocateDirect(4 * x.length).order(java.nio.ByteOrder.nativeOrder()).asFloatBuffer();
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = options(threads);
             OrtSession session = env.createSession(onnx, options)) {
            String input = session.getInputNames().iterator().next();
            Pass pinkcnn = () -> {
                try (TensorScope scope = TensorScope.open(); Autograd.AutoCloseableNoThrow ng = Autograd.noGrad()) {
                    return graph.forward(Tensor.of(backend, x, batch, in[1], in[2], in[3]), last).toArray();
                }
            };
            Pass ort = () -> {
                direct.clear();
                direct.put(x).flip();
                try (OnnxTensor t = OnnxTensor.createTensor(env, direct, shape);
                     OrtSession.Result r = session.run(Map.of(input, t))) {
                    FloatBuffer b = ((OnnxTensor) r.get(0)).getFloatBuffer();
                    float[] out = new float[b.remaining()];
                    b.get(out);
                    return out;
                }
            };
            float[] reference = ort.run();
            double maxError = check(pinkcnn.run(), reference);
            double maxOutput = 0;
            for (float v : reference) maxOutput = Math.max(maxOutput, Math.abs(v));
            // warm-up until both are at steady speed: the JIT compiling pinkcnn's kernels (it compiles a kernel's loop
            // after thousands of iterations, and some only after seconds), buffer pools, ONNX Runtime's arena
            double warmP = 0, warmO = 0, warmMillis = WARM_UP_SHARE * minSeconds * 1e3;
            for (int i = 0; i < WARM_UP_PASSES || warmP < warmMillis || warmO < warmMillis; i++) {
                warmP += millis(pinkcnn);
                warmO += millis(ort);
            }
            double[] tP = new double[200], tO = new double[200];
            double totalP = 0, totalO = 0;
            int n = 0;
            while (n < tP.length && (n < 5 || totalP < minSeconds * 1e3 || totalO < minSeconds * 1e3)) {
                // the order alternates too (ABBA), so neither runtime always runs right after the other
                if (n % 2 == 0) {
                    tP[n] = millis(pinkcnn);
                    tO[n] = millis(ort);
                } else {
                    tO[n] = millis(ort);
                    tP[n] = millis(pinkcnn);
                }
                totalP += tP[n];
                totalO += tO[n++];
            }
            double[] ratios = new double[n];
            for (int i = 0; i < n; i++) ratios[i] = tO[i] / tP[i];
            double mP = median(tP, n), mO = median(tO, n);
            double[] sorted = Arrays.copyOf(ratios, n);
            Arrays.sort(sorted);
            List<Row> rows = List.of(
                    new Row("pinkcnn", backend.name(), batch, threads, batch * 1000.0 / mP, mP / batch),
                    new Row("onnxruntime", "cpu (ONNX Runtime " + env.getVersion() + ", CPU execution provider)", batch,
                            threads, batch * 1000.0 / mO, mO / batch));
            return new Result(rows, median(ratios, n), sorted[0], sorted[n - 1], n, maxError, maxOutput);
        }
    }

    /**
     * ONNX Runtime as fast as it runs on a CPU, on {@code threads} threads: intra-op threads = {@code threads} (the
     * parallelism inside each operator, as pinkcnn's), one inter-op thread and sequential execution (a chain of layers
     * has no independent branches to run at once), every graph optimisation (fusions, layout changes), the CPU
     * execution provider with its memory arena. Its intra-op threads block when idle instead of spinning, as pinkcnn's
     * do: spinning workers kept a core busy into pinkcnn's next pass, and on a shared machine they waited for peers
     * that were descheduled (batch 32, 2 threads, machine busy: 83-92 images/s spinning, 120-138 not; pinkcnn's
     * passes 3-10 % faster beside a runtime that does not spin).
     */
    static OrtSession.SessionOptions options(int threads) throws OrtException {
        OrtSession.SessionOptions o = new OrtSession.SessionOptions();
        try {
            o.setIntraOpNumThreads(threads);
            o.setInterOpNumThreads(1);
            o.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            o.addCPU(true);
            o.addConfigEntry("session.intra_op.allow_spinning", "0");
            return o;
        } catch (OrtException | RuntimeException e) {
            o.close();
            throw e;
        }
    }

    /** The largest relative difference; a {@link Disagreement} when any element is off by more than the tolerance. */
    static double check(float[] pinkcnn, float[] ort) {
        if (pinkcnn.length != ort.length) {
            throw new Disagreement("pinkcnn and ONNX Runtime disagree: " + pinkcnn.length + " outputs against " + ort.length);
        }
        double worst = 0;
        int at = 0;
        for (int i = 0; i < ort.length; i++) {
            double e = Math.abs((double) pinkcnn[i] - ort[i]) / Math.max(1, Math.abs(ort[i]));
            if (!(e <= worst)) {   // NaN counts as the worst
                worst = Double.isNaN(e) ? Double.POSITIVE_INFINITY : e;
                at = i;
            }
        }
        if (worst > TOLERANCE) {
            throw new Disagreement(String.format(Locale.ROOT, "pinkcnn and ONNX Runtime disagree: output %d is %g in pinkcnn "
                    + "and %g in ONNX Runtime (|difference| / max(1, |ONNX Runtime|) = %.2g > %.0e); nothing was timed",
                    at, pinkcnn[at], ort[at], worst, TOLERANCE));
        }
        return worst;
    }

    /** The test hook: the first weight of the first convolution, changed by 0.5 in pinkcnn's copy only. */
    private static void corruptOneWeight(Graph graph) {
        for (Layer l : graph.layers()) {
            if (l instanceof Conv2d c) {
                Parameter k = c.kernel();
                float[] w = k.value().toArray();
                w[0] += 0.5f;
                k.load(w);
                return;
            }
        }
    }

    /**
     * Warm-up before timing: at least this many passes of each runtime, and this share of the timed seconds in each
     * (3 s at the default 2). With two passes only, pinkcnn's first timed passes ran while the JIT was still
     * compiling its kernels (docs/kernels.md).
     */
    static final int WARM_UP_PASSES = 2;
    static final double WARM_UP_SHARE = 1.5;

    private interface Pass {
        float[] run() throws OrtException;
    }

    private static double millis(Pass p) throws OrtException {
        long t0 = System.nanoTime();
        p.run();
        return (System.nanoTime() - t0) / 1e6;
    }

    private static double median(double[] v, int n) {
        double[] s = Arrays.copyOf(v, n);
        Arrays.sort(s);
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }
}
