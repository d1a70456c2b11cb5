package pinkcnn.engine.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import pinkcnn.engine.Autograd;
import pinkcnn.engine.Tensor;
import pinkcnn.engine.backend.Backend;
import pinkcnn.engine.cpu.CpuBackend;
import pinkcnn.engine.testing.Assertions2;

/**
 * Without gradients, {@link Graph} folds a frozen batch norm (and the ReLU after it) into the convolution before it:
 * the result must equal the layers run one by one, and the fused backend calls must actually be made.
 */
class GraphFusionTest {

    @Test
    void convolutionsTakeTheirBatchNormAndReluIntoTheOutputStage() {
        Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
        try (CpuBackend cpu = new CpuBackend(2)) {
            Backend b = counting(cpu, calls);
            Random rnd = new Random(3);
            Graph g = new Graph(9, 11, 8);
            String x = g.add(new Conv2d(b, "c1", 8, 16, 3, 2, "same", false, rnd), Graph.INPUT);
            x = g.add(randomStatistics(b, new BatchNorm(b, "bn1", 16), rnd), x);
            x = g.add(ReLU.relu6("r1"), x);
            x = g.add(new DepthwiseConv2d(b, "dw", 16, 3, 1, "same", rnd), x);
            x = g.add(randomStatistics(b, new BatchNorm(b, "bn2", 16), rnd), x);
            x = g.add(ReLU.relu6("r2"), x);
            // a bias is in the way of the batch norm's fused stage: the bias alone goes into the output stage
            x = g.add(new Conv2d(b, "biased", 16, 16, 1, 1, "same", true, rnd), x);
            x = g.add(randomStatistics(b, new BatchNorm(b, "bn3", 16), rnd), x);
            x = g.add(ReLU.relu6("r3"), x);
            // a projection: batch norm, no ReLU
            x = g.add(new Conv2d(b, "project", 16, 8, 1, 1, "same", false, rnd), x);
            x = g.add(randomStatistics(b, new BatchNorm(b, "bn4", 8), rnd), x);
            g.setTraining(false);

            float[] input = new float[2 * 9 * 11 * 8];
            for (int i = 0; i < input.length; i++) input[i] = rnd.nextFloat() * 4 - 2;
            Tensor in = Tensor.of(b, input, 2, 9, 11, 8);

            float[] oneByOne = g.forward(in, x).toArray(); // recording gradients: every layer on its own
            assertEquals(Map.of(), Map.copyOf(calls));
            float[] fused;
            try (Autograd.AutoCloseableNoThrow ng = Autograd.noGrad()) {
                fused = g.forward(in, x).toArray();
            }
            Assertions2.assertClose(oneByOne, fused, 1e-5, 1e-5, "fused against layer by layer");
            assertEquals(3, calls.get("conv2dAffine").get(), "c1 and project fused with their batch norms, biased alone");
            assertEquals(1, calls.get("depthwiseConv2dAffine").get());

            // asking for the convolution's output keeps it on its own; asking for the batch norm's keeps the ReLU apart
            calls.clear();
            assertEquals(2, fusedCalls(g, in, x, "c1", oneByOne, calls), "biased and project");
            calls.clear();
            assertEquals(3, fusedCalls(g, in, x, "bn1", oneByOne, calls), "c1 with bn1, biased and project");
        }
    }

    @Test
    void aBiasAndTheReluAfterItGoIntoTheOutputStage() {
        Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
        try (CpuBackend cpu = new CpuBackend(2)) {
            Backend b = counting(cpu, calls);
            Random rnd = new Random(5);
            Graph g = new Graph(10, 10, 3);
            String x = g.add(new Conv2d(b, "c0", 3, 8, 3, 2, "same", true, rnd), Graph.INPUT);
            x = g.add(ReLU.relu6("c0_relu"), x);
            String head = g.add(new Conv2d(b, "head", 8, 5, 1, 1, "same", true, rnd), x);
            for (Layer l : List.of(g.layer("c0"), g.layer("head"))) {
                Parameter bias = ((Conv2d) l).bias();
                float[] v = new float[(int) bias.value().size()];
                for (int i = 0; i < v.length; i++) v[i] = rnd.nextFloat() * 4 - 2;
                b.write(bias.value().storage(), 0, v, 0, v.length);
            }
            float[] input = new float[10 * 10 * 3];
            for (int i = 0; i < input.length; i++) input[i] = rnd.nextFloat() * 6 - 3;
            Tensor in = Tensor.of(b, input, 1, 10, 10, 3);
            Map<String, Tensor> oneByOne = g.run(Map.of(Graph.INPUT, in), 0, g.position(head), Set.of("c0_relu"));
            assertEquals(Map.of(), Map.copyOf(calls));
            try (Autograd.AutoCloseableNoThrow ng = Autograd.noGrad()) {
                Map<String, Tensor> fused = g.run(Map.of(Graph.INPUT, in), 0, g.position(head), Set.of("c0_relu"));
                for (String name : List.of("c0_relu", "head")) {
                    Assertions2.assertClose(oneByOne.get(name).toArray(), fused.get(name).toArray(), 1e-6, 1e-6, name);
                }
            }
            assertEquals(2, calls.get("conv2dAffine").get(), "c0 with its ReLU, and head with its bias");
        }
    }

    /** Runs the graph without gradients keeping {@code kept}; checks both outputs; returns the conv2dAffine calls. */
    private static int fusedCalls(Graph g, Tensor in, String last, String kept, float[] expectedLast,
                                  Map<String, AtomicInteger> calls) {
        float[] expectedKept = g.run(Map.of(Graph.INPUT, in), 0, g.position(last), Set.of(kept)).get(kept).toArray();
        calls.clear();
        try (Autograd.AutoCloseableNoThrow ng = Autograd.noGrad()) {
            Map<String, Tensor> out = g.run(Map.of(Graph.INPUT, in), 0, g.position(last), Set.of(kept));
            assertEquals(Set.of(kept, last), out.keySet());
            Assertions2.assertClose(expectedKept, out.get(kept).toArray(), 1e-5, 1e-5, kept + " kept");
            Assertions2.assertClose(expectedLast, out.get(last).toArray(), 1e-5, 1e-5, "output with " + kept + " kept");
        }
        return calls.get("conv2dAffine").get();
    }

    /** Moving statistics and affine weights far from the identity, so a batch norm left out would show. */
    private static BatchNorm randomStatistics(Backend b, BatchNorm bn, Random rnd) {
        for (Parameter p : bn.weights()) {
            int n = (int) p.value().size();
            float[] v = new float[n];
            for (int i = 0; i < n; i++) {
                v[i] = switch (p.name()) {
                    case "moving_variance:0" -> 0.2f + 2 * rnd.nextFloat();
                    case "gamma:0" -> 0.5f + 2 * rnd.nextFloat();
                    default -> rnd.nextFloat() * 2 - 1;
                };
            }
            b.write(p.value().storage(), 0, v, 0, n);
        }
        return bn;
    }

    /** The backend with a count of its fused-convolution calls. */
    private static Backend counting(Backend target, Map<String, AtomicInteger> calls) {
        return (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("conv2dAffine") || method.getName().equals("depthwiseConv2dAffine")) {
                        calls.computeIfAbsent(method.getName(), k -> new AtomicInteger()).incrementAndGet();
                    }
                    try {
                        return method.invoke(target, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }
}
