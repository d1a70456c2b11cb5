package pinkcnn.engine;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Reverse-mode automatic differentiation, define-by-run. Each op computes its output and {@linkplain #record records}
 * a node: its inputs and a closure that adds the inputs' gradients, given the output's gradient. {@link #backward}
 * orders the graph topologically and runs the closures from the loss back to the leaves.
 */
public final class Autograd {
    private static final ThreadLocal<Integer> NO_GRAD_DEPTH = ThreadLocal.withInitial(() -> 0);

    private Autograd() {}

    /** How an op pushes its output gradient (read from the output's grad storage) into its inputs' gradients. */
    @FunctionalInterface
    public interface BackwardFn {
        void run();
    }

    static final class Node {
        final Tensor[] inputs;
        final BackwardFn fn;

        Node(Tensor[] inputs, BackwardFn fn) {
            this.inputs = inputs;
            this.fn = fn;
        }
    }

    /** True unless inside a {@link #noGrad()} scope. */
    public static boolean enabled() {
        return NO_GRAD_DEPTH.get() == 0;
    }

    /** Fails unless inside a {@link #noGrad()} scope: for ops that have no backward. */
    public static void requireOff(String op) {
        if (enabled()) throw new IllegalStateException(op + " has no gradient: call it inside Autograd.noGrad()");
    }

    /** Inside this scope no graph is recorded (inference, optimizer steps). */
    public static AutoCloseableNoThrow noGrad() {
        NO_GRAD_DEPTH.set(NO_GRAD_DEPTH.get() + 1);
        return () -> NO_GRAD_DEPTH.set(NO_GRAD_DEPTH.get() - 1);
    }

    /** An AutoCloseable whose close() throws nothing. */
    public interface AutoCloseableNoThrow extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Records that {@code output} was computed from {@code inputs}, if recording is on and any input requires a
     * gradient. The backward closure must only touch the gradients of inputs that {@link Tensor#requiresGrad()}.
     */
    public static void record(Tensor output, Tensor[] inputs, BackwardFn fn) {
        if (!enabled()) return;
        for (Tensor in : inputs) {
            if (in != null && in.requiresGrad()) {
                output.setNode(new Node(inputs, fn));
                return;
            }
        }
    }

    static void backward(Tensor root) {
        List<Tensor> order = topologicalOrder(root);
        for (int i = order.size() - 1; i >= 0; i--) {
            Tensor t = order.get(i);
            Node node = t.node();
            if (node != null && t.gradOrNull() != null) node.fn.run();
            if (node != null) {
                t.clearNode();      // the graph is used once, as in PyTorch
                if (t != root) t.dropGrad(); // an intermediate gradient is not needed once pushed back
            }
        }
    }

    /** Tensors reachable from root, each after all tensors it depends on (iterative DFS, post-order). */
    private static List<Tensor> topologicalOrder(Tensor root) {
        List<Tensor> order = new ArrayList<>();
        Set<Tensor> visited = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        ArrayDeque<Object[]> stack = new ArrayDeque<>();
        stack.push(new Object[] {root, 0});
        visited.add(root);
        while (!stack.isEmpty()) {
            Object[] frame = stack.peek();
            Tensor t = (Tensor) frame[0];
            int next = (Integer) frame[1];
            Node node = t.node();
            if (node != null && next < node.inputs.length) {
                frame[1] = next + 1;
                Tensor in = node.inputs[next];
                if (in != null && in.requiresGrad() && visited.add(in)) stack.push(new Object[] {in, 0});
            } else {
                stack.pop();
                order.add(t);
            }
        }
        return order;
    }
}
