package pinkcnn.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import pinkcnn.engine.cpu.CpuBackend;
import pinkcnn.engine.ops.Add;
import pinkcnn.engine.ops.Multiply;
import pinkcnn.engine.ops.Sum;

class AutogradTest {
    private static final CpuBackend CPU = new CpuBackend(1);

    @AfterAll
    static void close() {
        CPU.close();
    }

    private static Tensor leaf(float... v) {
        return Tensor.persistent(CPU, v, v.length).requiresGrad(true);
    }

    @Test
    void diamondGraphAccumulatesBothPaths() {
        // L = Σ (a·b + a)  →  dL/da = b + 1, dL/db = a
        Tensor a = leaf(1f, 2f, 3f), b = leaf(4f, 5f, 6f);
        Sum.apply(Add.apply(Multiply.apply(a, b), a)).backward();
        assertArrayEquals(new float[] {5f, 6f, 7f}, a.gradArray());
        assertArrayEquals(new float[] {1f, 2f, 3f}, b.gradArray());
    }

    @Test
    void gradientsAccumulateOverBackwardCallsUntilZeroed() {
        Tensor a = leaf(1f, 2f);
        Sum.apply(Multiply.apply(a, a)).backward();
        Sum.apply(Multiply.apply(a, a)).backward();
        assertArrayEquals(new float[] {4f, 8f}, a.gradArray()); // 2·(2a)
        a.zeroGrad();
        assertArrayEquals(new float[] {0f, 0f}, a.gradArray());
    }

    @Test
    void noGradScopeRecordsNothing() {
        Tensor a = leaf(1f, 2f);
        Tensor y;
        try (Autograd.AutoCloseableNoThrow ng = Autograd.noGrad()) {
            y = Multiply.apply(a, a);
        }
        assertFalse(y.requiresGrad());
        assertThrows(IllegalStateException.class, () -> Sum.apply(y).backward());
        assertTrue(Multiply.apply(a, a).requiresGrad(), "recording resumes after the scope");
    }

    @Test
    void frozenInputsGetNoGradient() {
        Tensor a = leaf(1f, 2f), frozen = Tensor.persistent(CPU, new float[] {3f, 4f}, 2);
        Sum.apply(Multiply.apply(a, frozen)).backward();
        assertArrayEquals(new float[] {3f, 4f}, a.gradArray());
        assertNull(frozen.gradOrNull());
    }

    @Test
    void scopeReleasesIntermediatesButKeepsWhatIsAskedFor() {
        Tensor a = leaf(1f, 2f);
        Tensor kept, dropped;
        try (TensorScope scope = TensorScope.open()) {
            dropped = Multiply.apply(a, a);
            kept = scope.keep(Add.apply(a, a));
        }
        assertArrayEquals(new float[] {2f, 4f}, kept.toArray());
        assertThrows(IllegalStateException.class, dropped::toArray);
        assertArrayEquals(new float[] {1f, 2f}, a.toArray(), "tensors made outside the scope are untouched");
    }

    @Test
    void longChainsDoNotOverflowTheStack() {
        Tensor a = leaf(1f);
        Tensor y = a;
        for (int i = 0; i < 20000; i++) y = Add.apply(y, a);
        y.backward();
        assertArrayEquals(new float[] {20001f}, a.gradArray());
    }
}
