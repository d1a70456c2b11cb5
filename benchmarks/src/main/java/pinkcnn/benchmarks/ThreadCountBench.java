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
 * MobileNetV2's forward pass on a 1-thread and a 2-thread CPU backend in one process, pass after pass alternately, so
 * that both see the same machine: on a shared machine runs of {@code bench --threads 1} and {@code --threads 2} one
 * after the other differ by more than the thread count does. Prints the median pass of each and, from the profiled
 * passes (every other one), each layer's median and the ratio. {@code java @jvm.options -cp trainer/target/pinkcnn.jar
 * pinkcnn.benchmarks.ThreadCountBench [BATCH [PASSES [layers]]]} (defaults: batch 1, 60 passes each).
 */
public final class ThreadCountBench {
    private ThreadCountBench() {}

    public static void main(String[] args) {
        int batch = args.length > 0 ? Integer.parseInt(args[0]) : 1, passes = args.length > 1 ? Integer.parseInt(args[1]) : 60;
        boolean perLayer = args.length > 2 && args[2].equals("layers");
        Backend[] b = {new CpuBackend(1), new CpuBackend(2)};
        Graph[] g = new Graph[2];
        float[] x = ModelBench.input(batch, 224, 224, 3, 3);
        for (int i = 0; i < 2; i++) g[i] = MobileNetV2.build(b[i], 1.0, 224, false, 0, 1);
        List<Map<String, List<Double>>> layers = List.of(new LinkedHashMap<>(), new LinkedHashMap<>());
        List<List<Double>> total = List.of(new ArrayList<>(), new ArrayList<>());
        for (int p = -5; p < 2 * passes; p++) {
            for (int i = 0; i < 2; i++) {
                int k = i;
                boolean profiled = p >= 0 && p % 2 == 1;
                if (profiled) g[i].setProfiler((l, ns) -> layers.get(k).computeIfAbsent(l.name(), q -> new ArrayList<>()).add(ns / 1e6));
                long t0 = System.nanoTime();
                try (TensorScope s = TensorScope.open(); Autograd.AutoCloseableNoThrow ng = Autograd.noGrad()) {
                    g[i].forward(Tensor.of(b[i], x, batch, 224, 224, 3), g[i].lastLayer());
                }
                if (p >= 0 && !profiled) total.get(i).add((System.nanoTime() - t0) / 1e6);
                g[i].setProfiler(null);
            }
        }
        double one = median(total.get(0)), two = median(total.get(1));
        System.out.printf(Locale.ROOT, "batch %d, %d passes each, alternating: 1 thread %.2f ms/pass, 2 threads %.2f ms/pass, "
                + "2 threads / 1 thread %.2f%n", batch, passes, one, two, two / one);
        double s1 = 0, s2 = 0;
        if (perLayer) System.out.printf("%-28s %9s %9s %6s%n", "layer (profiled)", "1t ms", "2t ms", "2t/1t");
        for (String name : layers.get(0).keySet()) {
            double m1 = median(layers.get(0).get(name)), m2 = median(layers.get(1).get(name));
            s1 += m1;
            s2 += m2;
            if (perLayer) System.out.printf(Locale.ROOT, "%-28s %9.3f %9.3f %6.2f%n", name, m1, m2, m2 / m1);
        }
        System.out.printf(Locale.ROOT, "sum of the layers' medians: 1 thread %.2f ms, 2 threads %.2f ms, ratio %.2f%n", s1, s2, s2 / s1);
        for (Backend be : b) be.close();
    }

    private static double median(List<Double> v) {
        double[] s = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
