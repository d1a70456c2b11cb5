package pinkcnn.benchmarks;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import pinkcnn.engine.Autograd;
import pinkcnn.engine.Tensor;
import pinkcnn.engine.TensorScope;
import pinkcnn.engine.backend.Backend;
import pinkcnn.engine.cpu.CpuBackend;
import pinkcnn.engine.models.MobileNetV2;
import pinkcnn.engine.nn.Graph;

/**
 * MobileNetV2's forward pass on two CPU backends in one process, pass after pass alternately, so that both see the
 * same machine: on a shared machine runs one after the other differ by more than what is compared. Prints the median
 * pass of each and, from the profiled passes (every other one), each layer's median and the ratio.
 * <ul>
 *   <li>A 1-thread and a 2-thread backend: {@code java @jvm.options -cp trainer/target/pinkcnn.jar
 *       pinkcnn.benchmarks.ThreadCountBench [BATCH [PASSES [layers]]]} (defaults: batch 1, 60 passes each).</li>
 *   <li>Two numbered versions of a kernel family ({@link CpuBackend#versions}), on one thread each or on
 *       {@code THREADS}: {@code … pinkcnn.benchmarks.ThreadCountBench versions FAMILY OLD NEW [BATCH [PASSES [layers
 *       [THREADS]]]]}, e.g. {@code versions conv v2_tiles v3_packed 1 150 layers}.</li>
 * </ul>
 */
public final class ThreadCountBench {
    private ThreadCountBench() {}

    public static void main(String[] args) {
        boolean versions = args.length > 0 && args[0].equals("versions");
        int o = versions ? 4 : 0;
        int batch = args.length > o ? Integer.parseInt(args[o]) : 1, passes = args.length > o + 1 ? Integer.parseInt(args[o + 1]) : 60;
        boolean perLayer = args.length > o + 2 && args[o + 2].equals("layers");
        if (!versions) {
            compare(new CpuBackend(1), "1 thread", new CpuBackend(2), "2 threads", batch, passes, perLayer);
            return;
        }
        int threads = args.length > o + 3 ? Integer.parseInt(args[o + 3]) : 1;
        CpuBackend a = new CpuBackend(threads), b = new CpuBackend(threads);
        a.useVersion(args[1], args[2]);
        b.useVersion(args[1], args[3]);
        compare(a, args[1] + " " + args[2], b, args[1] + " " + args[3], batch, passes, perLayer);
    }

    /** Alternating passes on backends a and b (each with its own model), then the medians; closes both. */
    static void compare(Backend a, String aName, Backend b, String bName, int batch, int passes, boolean perLayer) {
        Backend[] be = {a, b};
        Graph[] g = new Graph[2];
        float[] x = ModelBench.input(batch, 224, 224, 3, 3);
        for (int i = 0; i < 2; i++) g[i] = MobileNetV2.build(be[i], 1.0, 224, false, 0, 1);
        List<Map<String, List<Double>>> layers = List.of(new LinkedHashMap<>(), new LinkedHashMap<>());
        List<List<Double>> total = List.of(new ArrayList<>(), new ArrayList<>());
        for (int p = -5; p < 2 * passes; p++) {
            for (int i = 0; i < 2; i++) {
                int k = i;
                boolean profiled = p >= 0 && p % 2 == 1;
                if (profiled) g[i].setProfiler((l, ns) -> layers.get(k).computeIfAbsent(l.name(), q -> new ArrayList<>()).add(ns / 1e6));
                long t0 = System.nanoTime();
                try (TensorScope s = TensorScope.open(); Autograd.AutoCloseableNoThrow ng = Autograd.noGrad()) {
                    g[i].forward(Tensor.of(be[i], x, batch, 224, 224, 3), g[i].lastLayer());
                }
                if (p >= 0 && !profiled) total.get(i).add((System.nanoTime() - t0) / 1e6);
                g[i].setProfiler(null);
            }
        }
        double one = median(total.get(0)), two = median(total.get(1));
        System.out.printf(Locale.ROOT, "batch %d, %d passes each, alternating: %s %.2f ms/pass, %s %.2f ms/pass, "
                + "%s / %s %.3f%n", batch, passes, aName, one, bName, two, bName, aName, two / one);
        double s1 = 0, s2 = 0;
        if (perLayer) System.out.printf("%-28s %9s %9s %6s%n", "layer (profiled)", "A ms", "B ms", "B/A");
        for (String name : layers.get(0).keySet()) {
            double m1 = median(layers.get(0).get(name)), m2 = median(layers.get(1).get(name));
            s1 += m1;
            s2 += m2;
            if (perLayer) System.out.printf(Locale.ROOT, "%-28s %9.3f %9.3f %6.2f%n", name, m1, m2, m2 / m1);
        }
        System.out.printf(Locale.ROOT, "sum of the layers' medians: %s %.2f ms, %s %.2f ms, ratio %.3f%n", aName, s1,
                bName, s2, s2 / s1);
        for (Backend x2 : be) x2.close();
    }

    private static double median(List<Double> v) {
        double[] s = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
