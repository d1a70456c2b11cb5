package pinkcnn.kernels;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import pinkcnn.engine.backend.Backend;

/**
 * Runs after the parity tests (see junit-platform.properties) and checks that together they compared every method of
 * the {@link Backend} contract on both backends, so a method added to the contract cannot go untested.
 */
@Order(Integer.MAX_VALUE)
class ParityCoverageTest {
    static final List<String> PARITY_TESTS = List.of("GemmParityTest", "ConvParityTest", "DepthwiseParityTest",
            "PoolParityTest", "ChannelOpsParityTest", "ElementwiseParityTest", "LossAndOptimizerParityTest");

    @Test
    void everyBackendMethodIsComparedWithTheCpuBackend() {
        Assumptions.assumeTrue(Twins.RAN.containsAll(PARITY_TESTS),
                "coverage is checked when all parity tests ran in this JVM; ran: " + Twins.RAN);
        Set<String> missing = new TreeSet<>();
        for (Method m : Backend.class.getMethods()) {
            // the abstract methods, and the default computations the OpenCL backend replaces with kernels of its own
            boolean contract = m.getDeclaringClass() == Backend.class
                    && (Modifier.isAbstract(m.getModifiers()) || overriddenByOpenCl(m));
            if (contract && !m.getName().equals("name") && !Twins.COMPARED.contains(Twins.signature(m))) {
                missing.add(Twins.signature(m));
            }
        }
        assertTrue(missing.isEmpty(), "Backend methods no parity test compares: " + missing);
    }

    /** A default computation (it takes storage) that OpenClBackend implements with kernels of its own. */
    private static boolean overriddenByOpenCl(Method m) {
        if (!java.util.Arrays.asList(m.getParameterTypes()).contains(pinkcnn.engine.backend.Storage.class)) return false;
        try {
            return OpenClBackend.class.getMethod(m.getName(), m.getParameterTypes()).getDeclaringClass() == OpenClBackend.class;
        } catch (NoSuchMethodException e) {
            return false;
        }
    }
}
