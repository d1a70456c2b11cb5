package pinkcnn.engine.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.HashMap;
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

    /**
     * Two MobileNetV2 blocks after a padded stem: block a (expansion, ZeroPadding2d((0,1),(0,1)), 'valid' depthwise
     * at stride 2) and block b (stride 1, the block's input added). Without gradients each block is one
     * invertedResidual call and the stem's padding goes into its convolution's geometry; the result is that of the
     * layers one by one, with the fused CPU block and with the layers (block version v1_layers) behind the call.
     */
    @Test
    void invertedResidualBlocksRunAsOneCallEach() {
        Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
        try (CpuBackend cpu = new CpuBackend(2)) {
            Backend b = counting(cpu, calls);
            Random rnd = new Random(7);
            Graph g = new Graph(17, 15, 5);
            String x = g.add(new ZeroPadding2d("stem_pad", 0, 1, 0, 1), Graph.INPUT);
            x = g.add(new Conv2d(b, "stem", 5, 8, 3, 2, "valid", false, rnd), x);
            x = g.add(randomStatistics(b, new BatchNorm(b, "stem_BN", 8), rnd), x);
            x = g.add(ReLU.relu6("stem_relu"), x);
            x = block(g, b, rnd, "a", x, 8, 24, 12, 2);
            String last = block(g, b, rnd, "b", x, 12, 36, 12, 1);
            assertEquals("b_add", last);
            g.setTraining(false);

            float[] input = new float[2 * 17 * 15 * 5];
            for (int i = 0; i < input.length; i++) input[i] = rnd.nextFloat() * 4 - 2;
            Tensor in = Tensor.of(b, input, 2, 17, 15, 5);
            float[] oneByOne = g.forward(in, last).toArray(); // recording gradients: every layer on its own
            assertEquals(2, calls.remove("pad").get(), "stem_pad and a_pad ran on their own");
            assertEquals(1, calls.remove("add").get(), "b_add ran on its own");
            assertEquals(Map.of(), Map.copyOf(calls));
            for (String version : cpu.versions(CpuBackend.BLOCK)) {
                cpu.useVersion(CpuBackend.BLOCK, version);
                calls.clear();
                float[] fused;
                try (Autograd.AutoCloseableNoThrow ng = Autograd.noGrad()) {
                    fused = g.forward(in, last).toArray();
                }
                Assertions2.assertClose(oneByOne, fused, 1e-5, 1e-5, "fused (" + version + ") against layer by layer");
                assertEquals(Map.of("invertedResidual", 2, "conv2dAffine", 1), counts(calls),
                        "one call per block, the stem with its padding, batch norm and ReLU6 in one (" + version + ")");
            }

            // a block with an output asked for runs as layers (fused with their batch norms); the other block stays one
            // call; a padding before a depthwise convolution goes into its geometry
            calls.clear();
            assertOutputs(g, in, last, "b_depthwise_relu", oneByOne, calls);
            assertEquals(Map.of("invertedResidual", 1, "conv2dAffine", 3, "depthwiseConv2dAffine", 1, "add", 1),
                    counts(calls), "block a fused; stem, b_expand and b_project with their batch norms, b_depthwise with"
                            + " its own, and b_add");
            calls.clear();
            assertOutputs(g, in, last, "a_expand_relu", oneByOne, calls);
            assertEquals(Map.of("invertedResidual", 1, "conv2dAffine", 3, "depthwiseConv2dAffine", 1), counts(calls),
                    "block b fused; a_pad folded into a_depthwise");
            calls.clear();
            // the expansion's output asked for: b_expand with its batch norm and ReLU6, then the rest of block b is a
            // block without expansion on that output, whose addition (of a_project_BN, not of b_expand_relu) runs alone
            assertOutputs(g, in, last, "b_expand_relu", oneByOne, calls);
            assertEquals(Map.of("invertedResidual", 2, "conv2dAffine", 2, "add", 1), counts(calls),
                    "block a; stem and b_expand; block b from b_depthwise to b_project_BN; b_add");
            calls.clear();
            // the projection's batch norm asked for: the block without its addition
            assertOutputs(g, in, last, "b_project_BN", oneByOne, calls);
            assertEquals(Map.of("invertedResidual", 2, "conv2dAffine", 1, "add", 1), counts(calls));

            // a batch norm on the batch's statistics (training mode) keeps its layers out of a block, gradients or not
            // (with b_expand_BN, block b from b_depthwise on is still a block without expansion); this updates the
            // batch norm's moving statistics, so it comes last
            Map<String, Integer> blocks = Map.of("b_expand_BN", 2, "b_depthwise_BN", 1, "b_project_BN", 1);
            for (String bn : List.of("b_expand_BN", "b_depthwise_BN", "b_project_BN")) {
                g.layer(bn).setTraining(true);
                float[] recorded = g.forward(in, last).toArray();
                calls.clear();
                try (Autograd.AutoCloseableNoThrow ng = Autograd.noGrad()) {
                    Assertions2.assertClose(recorded, g.forward(in, last).toArray(), 1e-5, 1e-5, bn + " in training mode");
                }
                assertEquals(blocks.get(bn), calls.get("invertedResidual").get(), bn + " in training mode");
                g.layer(bn).setTraining(false);
            }
        }
    }

    /**
     * The fused steps fold each batch norm once and keep the result ({@link BatchNorm#folded}) until one of its weights
     * changes: new statistics written through a parameter, through the backend's array, or by a training-mode pass
     * must all show in the next pass without gradients, which is compared with the layers run one by one.
     */
    @Test
    void foldedBatchNormsFollowTheirWeights() {
        try (CpuBackend b = new CpuBackend(1)) {
            Random rnd = new Random(11);
            Graph g = new Graph(9, 9, 4);
            String x = g.add(new Conv2d(b, "stem", 4, 8, 3, 1, "same", false, rnd), Graph.INPUT);
            x = g.add(randomStatistics(b, new BatchNorm(b, "stem_BN", 8), rnd), x);
            x = g.add(ReLU.relu6("stem_relu"), x);
            String last = block(g, b, rnd, "a", x, 8, 24, 8, 1);
            g.setTraining(false);
            float[] input = new float[9 * 9 * 4];
            for (int i = 0; i < input.length; i++) input[i] = rnd.nextFloat() * 4 - 2;
            Tensor in = Tensor.of(b, input, 1, 9, 9, 4);
            BatchNorm stemBn = (BatchNorm) g.layer("stem_BN");
            for (int change = 0; change < 5; change++) {
                // a pass that folds every batch norm anew, so that only the change below can make a kept fold stale
                // (the reference pass below, layer by layer, reads the weights too)
                try (Autograd.AutoCloseableNoThrow ng = Autograd.noGrad()) {
                    g.forward(in, last);
                    Tensor[] kept = stemBn.folded();
                    assertSame(kept, stemBn.folded(), "folded again although nothing changed");
                }
                if (change == 1) {
                    stemBn.weights().get(3).load(uniform(rnd, 8, 0.1f, 3f)); // moving_variance:0
                } else if (change == 2) {
                    float[] gamma = CpuBackend.array(g.layer("a_depthwise_BN").weights().get(0).value().storage());
                    for (int i = 0; i < gamma.length; i++) gamma[i] = -gamma[i];
                } else if (change == 3) {
                    g.layer("a_project_BN").weights().get(2).load(uniform(rnd, 8, -1f, 1f)); // moving_mean:0
                } else if (change == 4) {
                    // a training-mode pass updates the expansion's moving statistics
                    g.layer("a_expand_BN").setTraining(true);
                    g.forward(in, last);
                    g.layer("a_expand_BN").setTraining(false);
                }
                float[] fused;
                try (Autograd.AutoCloseableNoThrow ng = Autograd.noGrad()) {
                    fused = g.forward(in, last).toArray();
                }
                Assertions2.assertClose(g.forward(in, last).toArray(), fused, 1e-5, 1e-5, "after change " + change);
            }
        }
    }

    private static float[] uniform(Random rnd, int n, float lo, float hi) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = lo + (hi - lo) * rnd.nextFloat();
        return v;
    }

    /**
     * A MobileNetV2 block as keras.applications names its layers: [expand → BN → ReLU6] → [pad (0,1),(0,1)] →
     * depthwise (stride 2 'valid' after the pad, else 'same') → BN → ReLU6 → project → BN [→ add the input].
     */
    private static String block(Graph g, Backend b, Random rnd, String p, String input, int in, int expanded, int out,
                                int stride) {
        String x = g.add(new Conv2d(b, p + "_expand", in, expanded, 1, 1, "same", false, rnd), input);
        x = g.add(randomStatistics(b, new BatchNorm(b, p + "_expand_BN", expanded), rnd), x);
        x = g.add(ReLU.relu6(p + "_expand_relu"), x);
        if (stride == 2) x = g.add(new ZeroPadding2d(p + "_pad", 0, 1, 0, 1), x);
        x = g.add(new DepthwiseConv2d(b, p + "_depthwise", expanded, 3, stride, stride == 2 ? "valid" : "same", rnd), x);
        x = g.add(randomStatistics(b, new BatchNorm(b, p + "_depthwise_BN", expanded), rnd), x);
        x = g.add(ReLU.relu6(p + "_depthwise_relu"), x);
        x = g.add(new Conv2d(b, p + "_project", expanded, out, 1, 1, "same", false, rnd), x);
        x = g.add(randomStatistics(b, new BatchNorm(b, p + "_project_BN", out), rnd), x);
        return in == out && stride == 1 ? g.add(new Add(p + "_add"), input, x) : x;
    }

    /** The counts as plain numbers, to compare with a whole expected map (so that no other call slips in). */
    private static Map<String, Integer> counts(Map<String, AtomicInteger> calls) {
        Map<String, Integer> m = new HashMap<>();
        calls.forEach((k, v) -> m.put(k, v.get()));
        return m;
    }

    /** Runs the graph without gradients keeping {@code kept}; checks both outputs; returns the conv2dAffine calls. */
    private static int fusedCalls(Graph g, Tensor in, String last, String kept, float[] expectedLast,
                                  Map<String, AtomicInteger> calls) {
        assertOutputs(g, in, last, kept, expectedLast, calls);
        return calls.get("conv2dAffine").get();
    }

    /** Runs the graph without gradients keeping {@code kept} and checks both outputs; the calls are those of that run. */
    private static void assertOutputs(Graph g, Tensor in, String last, String kept, float[] expectedLast,
                                      Map<String, AtomicInteger> calls) {
        float[] expectedKept = g.run(Map.of(Graph.INPUT, in), 0, g.position(last), Set.of(kept)).get(kept).toArray();
        calls.clear();
        try (Autograd.AutoCloseableNoThrow ng = Autograd.noGrad()) {
            Map<String, Tensor> out = g.run(Map.of(Graph.INPUT, in), 0, g.position(last), Set.of(kept));
            assertEquals(Set.of(kept, last), out.keySet());
            Assertions2.assertClose(expectedKept, out.get(kept).toArray(), 1e-5, 1e-5, kept + " kept");
            Assertions2.assertClose(expectedLast, out.get(last).toArray(), 1e-5, 1e-5, "output with " + kept + " kept");
        }
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

    /** Backend methods whose calls {@link #counting} counts: the fused steps, and the padding and addition they save. */
    private static final Set<String> COUNTED =
            Set.of("conv2dAffine", "depthwiseConv2dAffine", "invertedResidual", "pad", "add");

    /** The backend with a count of its calls of the {@link #COUNTED} methods. */
    private static Backend counting(Backend target, Map<String, AtomicInteger> calls) {
        return (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class},
                (proxy, method, args) -> {
                    if (COUNTED.contains(method.getName())) {
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
