package pinkcnn.engine;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * Frees the intermediate tensors of a forward/backward pass in one go: every tensor created while the scope is open
 * goes back to its backend's buffer pool when it closes, except those passed to {@link #keep}. A training step in a
 * scope therefore reuses the same buffers step after step instead of allocating new ones.
 * <pre>
 *   try (TensorScope scope = TensorScope.open()) {
 *       Tensor loss = model.loss(x, y);
 *       loss.backward();
 *       optimizer.step();
 *   }
 * </pre>
 */
public final class TensorScope implements AutoCloseable {
    private static final ThreadLocal<ArrayDeque<TensorScope>> OPEN = ThreadLocal.withInitial(ArrayDeque::new);

    private final List<Tensor> owned = new ArrayList<>();
    private final Set<Tensor> kept = Collections.newSetFromMap(new IdentityHashMap<>());

    private TensorScope() {}

    public static TensorScope open() {
        TensorScope s = new TensorScope();
        OPEN.get().push(s);
        return s;
    }

    static Tensor track(Tensor t) {
        TensorScope s = OPEN.get().peek();
        if (s != null) s.owned.add(t);
        return t;
    }

    /** Keeps t alive past this scope (it moves to the enclosing scope, if any). */
    public Tensor keep(Tensor t) {
        kept.add(t);
        return t;
    }

    @Override
    public void close() {
        ArrayDeque<TensorScope> stack = OPEN.get();
        if (stack.peek() != this) throw new IllegalStateException("scopes must close in reverse order of opening");
        stack.pop();
        TensorScope parent = stack.peek();
        for (Tensor t : owned) {
            if (kept.contains(t)) {
                if (parent != null) parent.owned.add(t);
            } else {
                t.release();
            }
        }
        owned.clear();
    }
}
