package pinkcnn.kernels;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import pinkcnn.engine.backend.Backend;
import pinkcnn.engine.backend.Storage;
import pinkcnn.engine.cpu.CpuBackend;
import pinkcnn.engine.testing.Assertions2;

/**
 * The parity harness: the reference {@link CpuBackend} and an {@link OpenClBackend} side by side. A test creates
 * {@link Pair}s (the same values on both backends), runs one operation on both with {@link #run}, and compares the
 * results. The OpenCL backend is seen through a proxy that records which {@link Backend} methods were called, so
 * {@link ParityCoverageTest} can check that the suite compares every one of them.
 *
 * <p>A parity test class registers it as a JUnit extension, {@code @RegisterExtension static final Twins t = new
 * Twins(seed);}: it opens both backends once before the class's tests and closes them after. Without an OpenCL device
 * the class is skipped, or fails where {@code PINKCNN_REQUIRE_OPENCL=1} ({@link OpenClTestDevice}).
 */
final class Twins implements BeforeAllCallback, AfterAllCallback {
    /** The default parity tolerance: |cpu − opencl| ≤ ATOL + RTOL·|cpu|. */
    static final double ATOL = 1e-4, RTOL = 1e-4;
    /** Backend methods called through the OpenCL side by any parity test in this JVM. */
    static final Set<String> COMPARED = ConcurrentHashMap.newKeySet();
    /** Parity test classes that ran in this JVM. */
    static final Set<String> RAN = ConcurrentHashMap.newKeySet();

    /** One buffer on each backend. */
    record Pair(Storage cpu, Storage cl, int size) {}

    /** Picks the side of a pair that belongs to the backend an operation runs on. */
    interface Side {
        Storage at(Pair p);
    }

    interface Op {
        void run(Backend b, Side s);
    }

    interface FloatOp {
        float run(Backend b, Side s);
    }

    private final long seed;
    // set by beforeAll, for the tests of one class
    CpuBackend cpu;
    OpenClBackend raw;
    Backend cl;
    Random rnd;

    /** {@code seed}: of the random inputs, so that a failure repeats. */
    Twins(long seed) {
        this.seed = seed;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        raw = OpenClTestDevice.open();
        cpu = new CpuBackend(2);
        cl = recording(raw);
        rnd = new Random(seed);
        RAN.add(context.getRequiredTestClass().getSimpleName());
    }

    /** Runs after a skipped or failed {@link #beforeAll} too: closes what it opened. */
    @Override
    public void afterAll(ExtensionContext context) {
        if (raw != null) raw.close();
        if (cpu != null) cpu.close();
    }

    private static Backend recording(OpenClBackend target) {
        return (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class},
                (proxy, method, args) -> {
                    COMPARED.add(signature(method));
                    try {
                        return method.invoke(target, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    static String signature(Method m) {
        return m.getName() + "/" + m.getParameterCount();
    }

    Pair of(float[] values) {
        Storage a = cpu.allocate(values.length), b = cl.allocate(values.length);
        cpu.write(a, 0, values, 0, values.length);
        cl.write(b, 0, values, 0, values.length);
        return new Pair(a, b, values.length);
    }

    /** Uniform values in [-1, 1). */
    Pair random(long n) {
        return uniform(n, -1f, 1f);
    }

    Pair uniform(long n, float lo, float hi) {
        float[] v = new float[Math.toIntExact(n)];
        for (int i = 0; i < v.length; i++) v[i] = lo + (hi - lo) * rnd.nextFloat();
        return of(v);
    }

    /** Small integers in [0, levels): many exact ties (max pooling's "first maximum" rule). */
    Pair ties(long n, int levels) {
        float[] v = new float[Math.toIntExact(n)];
        for (int i = 0; i < v.length; i++) v[i] = rnd.nextInt(levels);
        return of(v);
    }

    Pair zeros(long n) {
        return of(new float[Math.toIntExact(n)]);
    }

    void run(Op op) {
        op.run(cpu, p -> p.cpu);
        op.run(cl, p -> p.cl);
    }

    /** Runs a float-valued operation on both and checks the two values agree. */
    void compare(FloatOp op, double atol, double rtol, String what) {
        float expected = op.run(cpu, p -> p.cpu);
        float actual = op.run(cl, p -> p.cl);
        Assertions2.assertClose(new float[] {expected}, new float[] {actual}, atol, rtol, what);
    }

    float[] cpuValues(Pair p) {
        float[] v = new float[p.size()];
        cpu.read(p.cpu(), 0, v, 0, v.length);
        return v;
    }

    float[] clValues(Pair p) {
        float[] v = new float[p.size()];
        raw.read(p.cl(), 0, v, 0, v.length);
        return v;
    }

    void assertClose(Pair p, String what) {
        assertClose(p, ATOL, RTOL, what);
    }

    void assertClose(Pair p, double atol, double rtol, String what) {
        Assertions2.assertClose(cpuValues(p), clValues(p), atol, rtol, what);
    }
}
