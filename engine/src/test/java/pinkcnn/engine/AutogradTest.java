package pinkcnn.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import pinkcnn.engine.cpu.CpuBackend;
import pinkcnn.engine.ops.Functional;

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
        Functional.sum(Functional.add(Functional.multiply(a, b), a)).backward();
        assertArrayEquals(new float[] {5f, 6f, 7f}, a.gradArray());
        assertArrayEquals(new float[] {1f, 2f, 3f}, b.gradArray());
    }

    @Test
    void gradientsAccumulateOverBackwardCallsUntilZeroed() {
        Tensor a = leaf(1f, 2f);
        Functional.sum(Functional.multiply(a, a)).backward();
        Functional.sum(Functional.multiply(a, a)).backward();
        assertArrayEquals(new float[] {4f, 8f}, a.gradArray()); // 2·(2a)
        a.zeroGrad();
        assertArrayEquals(new float[] {0f, 0f}, a.gradArray());
    }

    @Test
    void noGradScopeRecordsNothing() {
        Tensor a = leaf(1f, 2f);
        Tensor y;
        try (Autograd.AutoCloseableNoThrow ng = Autograd.noGrad()) {
            y = Functional.multiply(a, a);
        }
        assertFalse(y.requiresGrad());
        assertThrows(IllegalStateException.class, () -> Functional.sum(y).backward());
        assertTrue(Functional.multiply(a, a).requiresGrad(), "recording resumes after the scope");
    }

    @Test
    void frozenInputsGetNoGradient() {
        Tensor a = leaf(1f, 2f), frozen = Tensor.persistent(CPU, new float[] {3f, 4f}, 2);
        Functional.sum(Functional.multiply(a, frozen)).backward();
        assertArrayEquals(new float[] {3f, 4f}, a.gradArray());
        assertNull(frozen.gradOrNull());
    }

    @Test
    void scopeReleasesIntermediatesButKeepsWhatIsAskedFor() {
        Tensor a = leaf(1f, 2f);
        Tensor kept, dropped;
        try (TensorScope scope = TensorScope.open()) {
            dropped = Functional.multiply(a, a);
            kept = scope.keep(Functional.add(a, a));
        }
        assertArrayEquals(new float[] {2f, 4f}, kept.toArray());
        assertThrows(IllegalStateException.class, dropped::toArray);
        assertArrayEquals(new float[] {1f, 2f}, a.toArray(), "tensors made outside the scope are untouched");
    }

    @Test
    void longChainsDoNotOverflowTheStack() {
        Tensor a = leaf(1f);
        Tensor y = a;
        for (int i = 0; i < 20000; i++) y = Functional.add(y, a);
        y.backward();
        assertArrayEquals(new float[] {20001f}, a.gradArray());
    }
}
