package pinkcnn.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import pinkcnn.engine.testing.Assertions2;

/**
 * Every numbered GEMM version, with all four transpose cases, against the CPU backend and against a plain triple loop
 * in double: sizes that are multiples of no tile size (and smaller than one tile), offsets, padded leading dimensions,
 * alpha and beta, and beta = 0 over a C full of NaN (which must be overwritten, not read).
 */
class GemmParityTest {
    @RegisterExtension
    static final Twins t = new Twins(7);

    /** {m, n, k}: below, around and across the tile sizes of every version; n ≤ 16 takes v4's narrow path. */
    static final int[][] SHAPES = {{1, 1, 1}, {7, 9, 5}, {13, 11, 17}, {37, 29, 23}, {70, 3, 130}, {5, 40, 64},
            {33, 65, 17}, {9, 16, 3}, {130, 17, 9}, {19, 31, 8}, {3, 15, 40},
            // few rows, n a multiple of v4's panel width: v4 reads an untransposed B in place
            {49, 160, 20}, {30, 128, 7},
            // n ≤ 16 with rows in tiles of 12 (36), of 11 (22: 12 does not divide it, 11 does), and a partial last tile
            {36, 16, 6}, {22, 10, 4}, {25, 16, 3}};

    @Test
    void everyVersionMatchesTheCpuBackendInAllTransposeCases() {
        for (String version : t.raw.versions(OpenClBackend.GEMM)) {
            t.raw.withVersion(OpenClBackend.GEMM, version, () -> {
                for (int[] s : SHAPES) {
                    for (int tr = 0; tr < 4; tr++) {
                        gemmCase(version, s[0], s[1], s[2], (tr & 1) != 0, (tr & 2) != 0, 0.7f, 0.3f);
                        gemmCase(version, s[0], s[1], s[2], (tr & 1) != 0, (tr & 2) != 0, 1f, 0f);
                    }
                }
            });
        }
    }

    /** Stored A is rows×lda with the matrix at offset offA; likewise B and C. */
    private void gemmCase(String version, int m, int n, int k, boolean transA, boolean transB, float alpha, float beta) {
        int aRows = transA ? k : m, aCols = transA ? m : k, bRows = transB ? n : k, bCols = transB ? k : n;
        int lda = aCols + 3, ldb = bCols + 2, ldc = n + 1, offA = 5, offB = 2, offC = 3;
        Twins.Pair a = t.random(offA + (long) aRows * lda), b = t.random(offB + (long) bRows * ldb);
        float[] cInit = new float[offC + m * ldc];
        if (beta == 0f) Arrays.fill(cInit, Float.NaN);
        else for (int i = 0; i < cInit.length; i++) cInit[i] = t.rnd.nextFloat() * 2 - 1;
        Twins.Pair c = t.of(cInit);
        t.run((be, s) -> be.gemm(transA, transB, m, n, k, alpha, s.at(a), offA, lda, s.at(b), offB, ldb, beta, s.at(c), offC, ldc));
        String what = String.format("gemm %s %dx%dx%d transA=%b transB=%b alpha=%s beta=%s", version, m, n, k, transA,
                transB, alpha, beta);
        float[] cpuC = t.cpuValues(c);
        float[] clC = t.clValues(c);
        for (int i = 0; i < clC.length; i++) {
            if (!isInside(i, offC, m, n, ldc)) {
                assertEquals(Float.floatToIntBits(cInit[i]), Float.floatToIntBits(clC[i]), what + ": wrote outside C at " + i);
                clC[i] = cpuC[i] = 0f; // compared above; NaN would fail the closeness check
            }
        }
        Assertions2.assertClose(cpuC, clC, Twins.ATOL, Twins.RTOL, what);
    }

    private static boolean isInside(int idx, int off, int m, int n, int ld) {
        int r = (idx - off) / ld, col = (idx - off) % ld;
        return idx >= off && r < m && col < n;
    }

    /** Dense matrices (leading dimension = width); n = 16 and 32 are one v4 panel read in place. */
    @Test
    void defaultVersionMatchesATripleLoopInDouble() {
        for (int[] s : new int[][] {{45, 38, 77}, {70, 16, 20}, {100, 32, 9}, {1000, 16, 32}}) tripleLoopCase(s[0], s[1], s[2]);
    }

    private void tripleLoopCase(int m, int n, int k) {
        float[] a = new float[m * k], b = new float[k * n];
        for (int i = 0; i < a.length; i++) a[i] = t.rnd.nextFloat() - 0.5f;
        for (int i = 0; i < b.length; i++) b[i] = t.rnd.nextFloat() - 0.5f;
        double[] expected = new double[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) s += (double) a[i * k + p] * b[p * n + j];
                expected[i * n + j] = s;
            }
        Twins.Pair pa = t.of(a), pb = t.of(b), pc = t.zeros((long) m * n);
        t.raw.gemm(false, false, m, n, k, 1f, pa.cl(), 0, k, pb.cl(), 0, n, 0f, pc.cl(), 0, n);
        Assertions2.assertClose(expected, t.clValues(pc), 1e-5, 1e-5,
                "gemm " + t.raw.version(OpenClBackend.GEMM) + " " + m + "x" + n + "x" + k + " vs triple loop");
    }

    /**
     * A B that stays unchanged between calls is packed once and then reused; any change to it (a kernel that writes
     * it, a host upload, a device copy into it) must reach the result of the next call.
     */
    @Test
    void keptPackedOperandFollowsEveryChangeToB() {
        assumeTrue(t.raw.version(OpenClBackend.GEMM).equals("v4_packed"), "packing is v4's");
        int m = 300, n = 48, k = 40; // 38 row blocks and a partial second panel: B is packed
        Twins.Pair a = t.random((long) m * k), b = t.random((long) k * n), c = t.zeros((long) m * n);
        Runnable gemm = () -> t.run((be, s) -> be.gemm(false, false, m, n, k, 1f, s.at(a), 0, k, s.at(b), 0, n, 0f, s.at(c), 0, n));
        long before = t.raw.packedOperandHits();
        for (int i = 0; i < 4; i++) {
            gemm.run();
            t.assertClose(c, "unchanged B, call " + i);
        }
        assertEquals(before + 2, t.raw.packedOperandHits(), "packed on calls 1 and 2, kept for calls 3 and 4");

        t.run((be, s) -> be.scale((long) k * n, -0.5f, s.at(b), s.at(b))); // a kernel writes B
        gemm.run();
        t.assertClose(c, "after a kernel changed B");

        float[] fresh = new float[k * n];
        for (int i = 0; i < fresh.length; i++) fresh[i] = t.rnd.nextFloat() - 0.5f;
        t.raw.write(b.cl(), 0, fresh, 0, fresh.length); // the host writes B
        t.cpu.write(b.cpu(), 0, fresh, 0, fresh.length);
        gemm.run();
        t.assertClose(c, "after an upload into B");

        Twins.Pair other = t.random((long) k * n);
        t.run((be, s) -> be.copy(s.at(other), 0, s.at(b), 0, (long) k * n)); // a device copy into B
        gemm.run();
        t.assertClose(c, "after a copy into B");
    }

    @Test
    void kZeroScalesC() {
        Twins.Pair a = t.random(4), b = t.random(4), c = t.random(12);
        t.run((be, s) -> be.gemm(false, false, 3, 4, 0, 1f, s.at(a), 0, 1, s.at(b), 0, 4, 0.5f, s.at(c), 0, 4));
        t.assertClose(c, "gemm with k = 0");
    }
}
