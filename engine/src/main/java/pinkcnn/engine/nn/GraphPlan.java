package pinkcnn.engine.nn;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import pinkcnn.engine.Tensor;
import pinkcnn.engine.nn.Graph.Node;

/**
 * How {@link Graph#run} executes layers [first, last]: which layers run together as one fused step, which outputs it
 * returns, and after which step each activation is dead. Computed once per (range, kept outputs, gradient recording,
 * batch-norm modes) and then only executed, so the run loop has no decisions left in it.
 *
 * <p>Fusion happens only without gradients (the fused kernels have no backward) and only where nothing else reads or
 * asked for an output that fusing would never materialise:
 * <ul>
 *   <li>an inverted-residual block, [1×1 convolution → batch norm → ReLU] → [zero padding] → depthwise convolution →
 *       batch norm → ReLU → 1×1 convolution → batch norm [→ addition of the block's input], batch norms on moving
 *       statistics: one {@link pinkcnn.engine.backend.Backend#invertedResidual} call ({@link FusedBlock});</li>
 *   <li>[zero padding →] convolution → batch norm on moving statistics (→ ReLU): the batch norm and the ReLU run in
 *       the convolution's output stage and the padding in its geometry ({@link ConvLayer#forwardAffine});</li>
 *   <li>batch norm on moving statistics → ReLU, elsewhere: one pass ({@link BatchNorm#forwardClamped});</li>
 *   <li>convolution with a bias → ReLU: the bias and the ReLU in the convolution's output stage
 *       ({@link Conv2d#forwardBiasClamped}).</li>
 * </ul>
 */
record GraphPlan(List<Step> steps) {

    /**
     * One step: the nodes it runs (fused when more than one), the output it publishes (the last node's), whether
     * that output is returned, the activations that die after it (dropped from the live set) and, of those, the ones
     * whose buffers go straight back to the pool (produced in the range, not kept, no gradient graph needs them).
     */
    record Step(List<Node> nodes, boolean returned, List<String> dead, List<String> released) {
        Node first() {
            return nodes.get(0);
        }

        String output() {
            return nodes.get(nodes.size() - 1).name();
        }

        List<String> inputs() {
            return first().inputs();
        }

        /** Runs the step on its inputs' tensors. */
        Tensor apply(List<Tensor> in) {
            if (FusedBlock.is(nodes)) return FusedBlock.apply(nodes, in.get(0));
            Layer layer = first().layer();
            int[] pad = null;
            List<Node> nodes = this.nodes;
            if (layer instanceof ZeroPadding2d p && nodes.size() > 1) {
                pad = p.amounts();
                nodes = nodes.subList(1, nodes.size());
                layer = nodes.get(0).layer();
            }
            if (nodes.size() == 1) {
                return in.size() == 2 ? ((Add) layer).forward(in.get(0), in.get(1)) : layer.forward(in.get(0));
            }
            if (layer instanceof BatchNorm bn) return bn.forwardClamped(in.get(0), ((ReLU) nodes.get(1).layer()).maxValue());
            if (layer instanceof Conv2d c && c.bias() != null) {
                return c.forwardBiasClamped(in.get(0), 0f, ((ReLU) nodes.get(1).layer()).maxValue());
            }
            // convolution + batch norm (+ ReLU): neither the convolution's nor the batch norm's output is materialised
            Tensor[] scaleShift = ((BatchNorm) nodes.get(1).layer()).folded();
            boolean relu = nodes.size() == 3;
            float hi = relu ? ((ReLU) nodes.get(2).layer()).maxValue() : Float.POSITIVE_INFINITY;
            return ((ConvLayer) layer).forwardAffine(in.get(0), pad, scaleShift[0], scaleShift[1],
                    relu ? 0f : Float.NEGATIVE_INFINITY, hi);
        }
    }

    /** What a plan depends on besides the graph's structure. */
    record Key(int first, int last, Set<String> keep, boolean gradients, List<Boolean> movingStatistics) {}

    static Key key(List<Node> nodes, int first, int last, Set<String> keep, boolean gradients) {
        List<Boolean> moving = new ArrayList<>();
        for (int i = first; i <= last; i++) {
            if (nodes.get(i).layer() instanceof BatchNorm bn) moving.add(bn.usesMovingStatistics());
        }
        return new Key(first, last, Set.copyOf(keep), gradients, moving);
    }

    static GraphPlan of(List<Node> nodes, Key key) {
        int first = key.first(), last = key.last();
        Map<String, Integer> uses = new HashMap<>();
        for (int i = first; i <= last; i++) for (String in : nodes.get(i).inputs()) uses.merge(in, 1, Integer::sum);

        List<List<Node>> groups = new ArrayList<>();
        for (int i = first; i <= last; ) {
            int span = key.gradients() ? 1 : fusedSpan(nodes, i, last, key.keep(), uses);
            groups.add(nodes.subList(i, i + span));
            i += span;
        }
        // an activation dies after the last step that reads it
        Map<String, Integer> lastReader = new HashMap<>();
        for (int s = 0; s < groups.size(); s++) for (String in : groups.get(s).get(0).inputs()) lastReader.put(in, s);
        Set<String> produced = new HashSet<>();
        for (int i = first; i <= last; i++) produced.add(nodes.get(i).name());

        List<Step> steps = new ArrayList<>();
        for (int s = 0; s < groups.size(); s++) {
            List<Node> group = groups.get(s);
            List<String> dead = new ArrayList<>(), released = new ArrayList<>();
            for (String in : group.get(0).inputs()) {
                if (lastReader.get(in) != s || dead.contains(in)) continue;
                dead.add(in);
                // with gradients the tape still needs it; given and kept tensors belong to the caller
                if (!key.gradients() && produced.contains(in) && !key.keep().contains(in)) released.add(in);
            }
            String output = group.get(group.size() - 1).name();
            boolean returned = key.keep().contains(output) || s == groups.size() - 1;
            steps.add(new Step(List.copyOf(group), returned, dead, released));
        }
        return new GraphPlan(List.copyOf(steps));
    }

    /**
     * How many nodes from i run as one step: an inverted-residual block ({@link FusedBlock#span}); else 3 for a
     * convolution, a batch norm on moving statistics and a ReLU, 2 for a convolution and such a batch norm, for such a
     * batch norm and a ReLU, or for a convolution with a bias and a ReLU, one more for a zero padding before a
     * convolution and its batch norm; else 1.
     */
    private static int fusedSpan(List<Node> nodes, int i, int last, Set<String> keep, Map<String, Integer> uses) {
        if (i + 1 > last) return 1;
        int block = FusedBlock.span(nodes, i, last, keep, uses);
        return block > 0 ? block : layerSpan(nodes, i, last, keep, uses);
    }

    /** {@link #fusedSpan} without blocks. */
    private static int layerSpan(List<Node> nodes, int i, int last, Set<String> keep, Map<String, Integer> uses) {
        if (i + 1 > last) return 1;
        Node a = nodes.get(i), b = nodes.get(i + 1);
        if (a.layer() instanceof ZeroPadding2d && onlyReader(a, b, keep, uses)) {
            // a padding folded into the convolution after it, when that convolution fuses with its batch norm
            int conv = b.layer() instanceof ConvLayer ? layerSpan(nodes, i + 1, last, keep, uses) : 1;
            return conv > 1 && nodes.get(i + 2).layer() instanceof BatchNorm ? 1 + conv : 1;
        }
        if (a.layer() instanceof Conv2d c && c.bias() != null) return reluOf(a, b, keep, uses) ? 2 : 1;
        boolean movingBn = b.layer() instanceof BatchNorm bn && bn.usesMovingStatistics();
        if (a.layer() instanceof ConvLayer f && f.canFuse() && movingBn && onlyReader(a, b, keep, uses)) {
            return i + 2 <= last && reluOf(b, nodes.get(i + 2), keep, uses) ? 3 : 2;
        }
        boolean aMovingBn = a.layer() instanceof BatchNorm bn && bn.usesMovingStatistics();
        return aMovingBn && reluOf(a, b, keep, uses) ? 2 : 1;
    }

    static boolean reluOf(Node node, Node next, Set<String> keep, Map<String, Integer> uses) {
        return next.layer() instanceof ReLU && onlyReader(node, next, keep, uses);
    }

    /** Whether {@code reader} is the only consumer of {@code node}'s output, which nobody asked to keep. */
    static boolean onlyReader(Node node, Node reader, Set<String> keep, Map<String, Integer> uses) {
        return reader.inputs().equals(List.of(node.name())) && uses.getOrDefault(node.name(), 0) == 1
                && !keep.contains(node.name());
    }
}
