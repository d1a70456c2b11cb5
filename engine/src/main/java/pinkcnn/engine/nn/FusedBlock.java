package pinkcnn.engine.nn;

import java.util.List;
import java.util.Map;
import java.util.Set;
import pinkcnn.engine.Tensor;
import pinkcnn.engine.backend.Backend;
import pinkcnn.engine.backend.ConvGeometry;
import pinkcnn.engine.backend.InvertedResidual;
import pinkcnn.engine.nn.Graph.Node;
import pinkcnn.engine.ops.Functional;

/**
 * An inverted-residual block found in a graph, run as one {@link Backend#invertedResidual} call when no gradient is
 * recorded ({@link GraphPlan}). The layers, as {@code keras.applications.MobileNetV2} names them:
 * <pre>
 *   [block_N_expand (1×1) → block_N_expand_BN → block_N_expand_relu] → [block_N_pad] →
 *   block_N_depthwise → block_N_depthwise_BN → block_N_depthwise_relu → block_N_project (1×1) → block_N_project_BN
 *   [→ block_N_add (the block's input + the projection)]
 * </pre>
 * Every batch norm must use its moving statistics, each layer's output must be read by the next layer only and
 * nobody may have asked to keep it: the fused call never materialises them.
 */
final class FusedBlock {
    private FusedBlock() {}

    /** How many nodes from i form such a block, or 0. */
    static int span(List<Node> nodes, int i, int last, Set<String> keep, Map<String, Integer> uses) {
        int j = i;
        if (isPointwise(nodes, j, last) && affineRelu(nodes, j, last, keep, uses)) j += 3;
        if (j <= last && nodes.get(j).layer() instanceof ZeroPadding2d) {
            if (j == i || !chained(nodes, j - 1, j, last, keep, uses)) return 0;
            j++;
        }
        if (j > last || !(nodes.get(j).layer() instanceof DepthwiseConv2d)) return 0;
        if (j > i && !chained(nodes, j - 1, j, last, keep, uses)) return 0;
        if (!affineRelu(nodes, j, last, keep, uses) || !chained(nodes, j + 2, j + 3, last, keep, uses)) return 0;
        j += 3;
        if (!isPointwise(nodes, j, last) || !chained(nodes, j, j + 1, last, keep, uses)) return 0;
        if (!(nodes.get(j + 1).layer() instanceof BatchNorm bn) || !bn.usesMovingStatistics()) return 0;
        j += 2;
        // the residual addition reads the block's input and the projection's batch norm, nothing else does
        if (j <= last && nodes.get(j).layer() instanceof Add) {
            Node bnNode = nodes.get(j - 1), add = nodes.get(j);
            List<String> in = add.inputs();
            String blockInput = nodes.get(i).inputs().get(0);
            boolean residual = in.size() == 2 && in.contains(blockInput) && in.contains(bnNode.name())
                    && !blockInput.equals(bnNode.name()) && uses.getOrDefault(bnNode.name(), 0) == 1
                    && !keep.contains(bnNode.name());
            if (residual) j++;
        }
        return j - i;
    }

    /** Whether a step of these nodes is such a block. */
    static boolean is(List<Node> nodes) {
        for (Node n : nodes) if (n.layer() instanceof DepthwiseConv2d) return nodes.size() >= 5;
        return false;
    }

    /** Runs the block on its input. */
    static Tensor apply(List<Node> nodes, Tensor x) {
        int k = 0;
        Conv2d expand = null;
        BatchNorm expandBn = null;
        float expandCap = Float.POSITIVE_INFINITY;
        if (nodes.get(0).layer() instanceof Conv2d c) {
            expand = c;
            expandBn = (BatchNorm) nodes.get(1).layer();
            expandCap = ((ReLU) nodes.get(2).layer()).maxValue();
            k = 3;
        }
        int[] pad = null;
        if (nodes.get(k).layer() instanceof ZeroPadding2d p) {
            pad = p.amounts();
            k++;
        }
        DepthwiseConv2d depthwise = (DepthwiseConv2d) nodes.get(k).layer();
        BatchNorm depthwiseBn = (BatchNorm) nodes.get(k + 1).layer();
        float depthwiseCap = ((ReLU) nodes.get(k + 2).layer()).maxValue();
        Conv2d project = (Conv2d) nodes.get(k + 3).layer();
        BatchNorm projectBn = (BatchNorm) nodes.get(k + 4).layer();
        boolean residual = nodes.size() > k + 5;

        Backend b = x.backend();
        int n = x.dim(0), cin = x.dim(3);
        Tensor dwKernel = depthwise.kernel().value(), projectKernel = project.kernel().value();
        int expanded = expand != null ? expand.kernel().value().dim(3) : cin;
        if (expand != null && expand.kernel().value().dim(2) != cin) {
            throw new IllegalArgumentException(expand.name() + " expects " + expand.kernel().value().dim(2)
                    + " input channels, input has " + cin);
        }
        int size = depthwise.kernelSize();
        if (dwKernel.dim(0) != size || dwKernel.dim(1) != size || dwKernel.dim(2) != expanded) {
            throw new IllegalArgumentException(depthwise.name() + " does not fit " + expanded + " channels");
        }
        int[] p = pad != null ? pad : new int[4];
        ConvGeometry d = Functional.withPadding(ConvGeometry.of(n, x.dim(1) + p[0] + p[1], x.dim(2) + p[2] + p[3],
                expanded, size, depthwise.stride(), depthwise.padding(), expanded), pad);
        int cout = projectKernel.dim(3);
        InvertedResidual shape = new InvertedResidual(d, cin, cout, expand != null, expandCap, depthwiseCap, residual);
        Tensor[] e = expand != null ? expandBn.folded() : null;
        Tensor[] dw = depthwiseBn.folded(), pr = projectBn.folded();
        Tensor y = Tensor.empty(b, n, d.outH(), d.outW(), cout);
        b.invertedResidual(shape, x.storage(), expand != null ? expand.kernel().value().storage() : null,
                e != null ? e[0].storage() : null, e != null ? e[1].storage() : null, dwKernel.storage(),
                dw[0].storage(), dw[1].storage(), projectKernel.storage(), pr[0].storage(), pr[1].storage(), y.storage());
        return y;
    }

    private static boolean isPointwise(List<Node> nodes, int j, int last) {
        return j <= last && nodes.get(j).layer() instanceof Conv2d c && c.canFuse() && c.kernelSize() == 1
                && c.stride() == 1;
    }

    /** Nodes j, j+1, j+2 are a layer, its batch norm on moving statistics and a ReLU, each read only by the next. */
    private static boolean affineRelu(List<Node> nodes, int j, int last, Set<String> keep, Map<String, Integer> uses) {
        return j + 2 <= last && nodes.get(j + 1).layer() instanceof BatchNorm bn && bn.usesMovingStatistics()
                && nodes.get(j + 2).layer() instanceof ReLU && chained(nodes, j, j + 1, last, keep, uses)
                && chained(nodes, j + 1, j + 2, last, keep, uses);
    }

    /** Node b exists and is the only reader of node a's output, which nobody asked to keep. */
    private static boolean chained(List<Node> nodes, int a, int b, int last, Set<String> keep, Map<String, Integer> uses) {
        return b <= last && GraphPlan.onlyReader(nodes.get(a), nodes.get(b), keep, uses);
    }
}
