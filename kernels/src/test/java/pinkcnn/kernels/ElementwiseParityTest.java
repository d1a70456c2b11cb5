package pinkcnn.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import pinkcnn.engine.backend.DropoutMask;
import pinkcnn.engine.backend.Storage;

/** Memory operations, elementwise kernels, sums and dropout against the CPU backend. */
class ElementwiseParityTest {
    @RegisterExtension
    static final Twins t = new Twins(19);
    /** Sizes: one element, below and above a work-group, and not a multiple of any vector width. */
    static final int[] SIZES = {1, 7, 255, 1001, 100_003};

    @Test
    void allocateWriteReadCopyFill() {
        Storage s = t.cl.allocate(1001);
        float[] back = new float[1001];
        t.cl.read(s, 0, back, 0, back.length);
        assertArrayEquals(new float[1001], back, "allocate must return zeros");
        // a reused (pooled) buffer must come back zeroed too
        t.cl.fill(s, 3f);
        s.release();
        Storage again = t.cl.allocate(1001);
        t.cl.read(again, 0, back, 0, back.length);
        assertArrayEquals(new float[1001], back, "a recycled storage must be zero-filled");

        Twins.Pair a = t.random(300), b = t.random(300);
        float[] src = new float[50];
        for (int i = 0; i < src.length; i++) src[i] = i + 0.5f;
        t.run((be, z) -> be.write(z.at(a), 17, src, 5, 40));
        t.run((be, z) -> be.copy(z.at(a), 10, z.at(b), 250, 50));
        t.assertClose(a, 0, 0, "write with offsets");
        t.assertClose(b, 0, 0, "copy with offsets");
        float[] part = new float[30];
        t.cl.read(a.cl(), 20, part, 3, 20);
        for (int i = 0; i < 20; i++) assertEquals(src[5 + 3 + i], part[3 + i], "read with offsets");
        t.run((be, z) -> be.fill(z.at(b), -2.5f));
        t.assertClose(b, 0, 0, "fill");
        assertThrows(IndexOutOfBoundsException.class, () -> t.cl.read(a.cl(), 290, part, 0, 20));
    }

    @Test
    void unaryAndBinaryKernels() {
        for (int n : SIZES) {
            Twins.Pair x = t.uniform(n, -3f, 9f), a = t.random(n), y = t.random(n), dx = t.random(n);
            for (float cap : new float[] {Float.POSITIVE_INFINITY, 6f}) {
                t.run((b, z) -> b.relu(n, cap, z.at(x), z.at(y)));
                t.assertClose(y, 0, 0, "relu cap " + cap + " n " + n);
                t.run((b, z) -> b.reluGrad(n, cap, z.at(x), z.at(a), z.at(dx)));
                t.assertClose(dx, "reluGrad cap " + cap + " n " + n);
            }
            t.run((b, z) -> b.add(n, z.at(x), z.at(a), z.at(y)));
            t.assertClose(y, "add " + n);
            t.run((b, z) -> b.mul(n, z.at(x), z.at(a), z.at(y)));
            t.assertClose(y, "mul " + n);
            t.run((b, z) -> b.mulGrad(n, z.at(x), z.at(a), z.at(dx)));
            t.assertClose(dx, "mulGrad " + n);
            t.run((b, z) -> b.scale(n, -0.75f, z.at(x), z.at(y)));
            t.assertClose(y, "scale " + n);
            t.run((b, z) -> b.scale(n, 1.5f, z.at(y), z.at(y)));
            t.assertClose(y, "scale in place " + n);
            t.run((b, z) -> b.axpy(n, 0.3f, z.at(x), z.at(y)));
            t.assertClose(y, "axpy " + n);
        }
    }

    @Test
    void sums() {
        for (int n : SIZES) {
            Twins.Pair x = t.uniform(n, -1f, 2f);
            t.compare((b, z) -> b.sum(n, z.at(x)), 1e-4, 1e-4, "sum " + n);
            t.compare((b, z) -> b.sumSquares(n, z.at(x)), 1e-4, 1e-4, "sumSquares " + n);
        }
        Twins.Pair big = t.uniform(3_000_001, 0f, 1f);
        t.compare((b, z) -> b.sum(3_000_001, z.at(big)), 1e-4, 1e-4, "sum of 3M values");
    }

    @Test
    void dropoutMaskIsBitIdentical() {
        for (float rate : new float[] {0.1f, 0.5f, 0.9f}) {
            int n = 100_003;
            long seed = 0x5EEDL * (long) (rate * 10) - 12345;
            Twins.Pair x = t.random(n), mask = t.random(n), y = t.random(n);
            t.run((b, z) -> b.dropout(n, rate, seed, z.at(x), z.at(mask), z.at(y)));
            float[] m = t.clValues(mask);
            assertArrayEquals(t.cpuValues(mask), m, "dropout mask rate " + rate);
            assertArrayEquals(t.cpuValues(y), t.clValues(y), "dropout output rate " + rate);
            float keepScale = 1f / (1f - rate);
            for (int i = 0; i < 1000; i++) assertEquals(DropoutMask.keep(seed, i, rate) ? keepScale : 0f, m[i]);
        }
    }
}
