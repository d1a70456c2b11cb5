package pinkcnn.engine.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Single-precision GEMM on the CPU, C = α·op(A)·op(B) + β·C (row-major), in the style of GotoBLAS / BLIS:
 *
 * <ol>
 *   <li>B is packed, one KC×NC block at a time, into panels of NR = 2 vector widths: each k-step of a panel is then
 *       two aligned, contiguous vector loads whatever the transposition of B.</li>
 *   <li>C is cut into tiles of MR rows × one panel. A micro-kernel keeps the MR×NR tile in 12 vector registers and,
 *       per k, broadcasts MR scalars of A and does 12 fused multiply-adds: 2·MR·NR flops for 2 + MR loads.</li>
 *   <li>Tasks (a block of rows × one panel) are spread over the threads; the packed B panel (KC·NR floats) stays in
 *       L1/L2 while the rows of A stream past it.</li>
 * </ol>
 * A narrow last panel (≤ one vector of valid columns, e.g. the 16-channel outputs of MobileNetV2) uses a 12×1-vector
 * kernel so that half the flops are not spent on padding.
 *
 * <p>JIT caveat (JDK 17 C2): the micro-kernels hold 12 vectors in registers only when each is compiled on its own. When
 * C2 inlines them into a long-running caller (an on-stack-replaced task loop on one thread), it exhausts its node
 * budget (NodeCountInliningCutoff), leaves Vector API calls un-inlined and boxes every vector: 100× slower. The
 * launcher and the tests therefore run with
 * {@code -XX:CompileCommand=dontinline,pinkcnn.engine.cpu.CpuGemm::tile*} (and {@code ::row}); embedders should too.
 */
final class CpuGemm {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();
    static final int NR = 2 * L;
    static final int MR = 6;
    static final int MR_NARROW = 12;
    static final int KC = 256;
    static final int MC = 96;   // rows per task: a multiple of MR and of MR_NARROW
    static final int NC = 2048; // columns per packed block
    /**
     * Below this many flops (≈ 0.15 ms on one core) a GEMM runs on the calling thread: waking the pool's workers costs
     * more than the second core gives back (measured on the 2-vCPU development machine).
     */
    static final double PARALLEL_FLOPS = 1.6e7;

    private final Parallel parallel;
    private float[] packedB = new float[0];

    CpuGemm(Parallel parallel) {
        this.parallel = parallel;
    }

    synchronized void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                           float[] a, int offA, int lda, float[] b, int offB, int ldb,
                           float beta, float[] c, int offC, int ldc) {
        gemm(transA, transB, m, n, k, alpha, a, offA, lda, b, offB, ldb, beta, c, offC, ldc, null);
    }

    /** {@link #gemm} with {@code stage} applied to each block of C (columns = channels) as its last k-panel lands. */
    synchronized void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                           float[] a, int offA, int lda, float[] b, int offB, int ldb,
                           float beta, float[] c, int offC, int ldc, OutputStage stage) {
        if (m == 0 || n == 0) return;
        scaleC(m, n, beta, c, offC, ldc);
        if (k == 0 || alpha == 0f) {
            if (stage != null) for (int i = 0; i < m; i++) stage.apply(c, offC + i * ldc, 0, n);
            return;
        }
        // A(i,p) = a[offA + i·rsA + p·csA]; B(p,j) = b[offB + p·rsB + j·csB]
        int rsA = transA ? 1 : lda, csA = transA ? lda : 1;
        int rsB = transB ? 1 : ldb, csB = transB ? ldb : 1;
        int grain = 2.0 * m * n * k < PARALLEL_FLOPS ? Integer.MAX_VALUE : 1;
        for (int jc = 0; jc < n; jc += NC) {
            int nc = Math.min(NC, n - jc);
            int panels = (nc + NR - 1) / NR;
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                float[] pb = packB(b, offB + pc * rsB + jc * csB, rsB, csB, kc, nc, panels, grain);
                int rowBlocks = (m + MC - 1) / MC;
                int aBase = offA + pc * csA;
                int cBase = offC + jc;
                OutputStage last = pc + kc >= k ? stage : null;
                int firstColumn = jc;
                parallel.forRange(rowBlocks * panels, grain, (from, to) -> {
                    float[] tile = new float[MR_NARROW * NR];
                    for (int t = from; t < to; t++) {
                        int q = t % panels, rb = t / panels;
                        int i0 = rb * MC, i1 = Math.min(m, i0 + MC);
                        int valid = Math.min(NR, nc - q * NR);
                        int pbBase = q * kc * NR;
                        if (valid <= L) {
                            int i = i0;
                            for (; i + MR_NARROW <= i1; i += MR_NARROW)
                                tile12x1(a, aBase + i * rsA, rsA, csA, pb, pbBase, kc, tile, c, cBase + i * ldc + q * NR, ldc, valid, alpha);
                            for (; i < i1; i++)
                                row(a, aBase + i * rsA, csA, pb, pbBase, kc, tile, c, cBase + i * ldc + q * NR, ldc, valid, alpha);
                        } else {
                            int i = i0;
                            for (; i + MR <= i1; i += MR)
                                tile6x2(a, aBase + i * rsA, rsA, csA, pb, pbBase, kc, tile, c, cBase + i * ldc + q * NR, ldc, valid, alpha);
                            for (; i < i1; i++)
                                row(a, aBase + i * rsA, csA, pb, pbBase, kc, tile, c, cBase + i * ldc + q * NR, ldc, valid, alpha);
                        }
                        if (last != null) {
                            for (int i = i0; i < i1; i++) last.apply(c, cBase + i * ldc + q * NR, firstColumn + q * NR, valid);
                        }
                    }
                });
            }
        }
    }

    private void scaleC(int m, int n, float beta, float[] c, int offC, int ldc) {
        if (beta == 1f) return;
        parallel.forRange(m, 64, (from, to) -> {
            for (int i = from; i < to; i++) {
                int base = offC + i * ldc;
                if (beta == 0f) java.util.Arrays.fill(c, base, base + n, 0f);
                else for (int j = 0; j < n; j++) c[base + j] *= beta;
            }
        });
    }

    /** Packs B(0..kc, 0..nc) into panels: pb[q·kc·NR + p·NR + jj] = B(p, q·NR + jj), zero beyond nc. */
    private float[] packB(float[] b, int base, int rsB, int csB, int kc, int nc, int panels, int grain) {
        int need = panels * kc * NR;
        if (packedB.length < need) packedB = new float[need];
        float[] pb = packedB;
        parallel.forRange(panels, grain, (from, to) -> {
            for (int q = from; q < to; q++) {
                int j0 = q * NR, width = Math.min(NR, nc - j0);
                int dst = q * kc * NR;
                for (int p = 0; p < kc; p++, dst += NR) {
                    int src = base + p * rsB + j0 * csB;
                    if (csB == 1) System.arraycopy(b, src, pb, dst, width);
                    else for (int jj = 0; jj < width; jj++) pb[dst + jj] = b[src + jj * csB];
                    for (int jj = width; jj < NR; jj++) pb[dst + jj] = 0f;
                }
            }
        });
        return pb;
    }

    /** C[6 rows, NR cols] += α·A[6 rows, kc]·Bpanel — twelve accumulators held in registers. */
    private static void tile6x2(float[] a, int ai, int rsA, int csA, float[] pb, int pbi, int kc, float[] tile,
                                float[] c, int ci, int ldc, int valid, float alpha) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S), c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S), c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S), c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        int a0 = ai, a1 = ai + rsA, a2 = ai + 2 * rsA, a3 = ai + 3 * rsA, a4 = ai + 4 * rsA, a5 = ai + 5 * rsA;
        for (int p = 0, bi = pbi, ak = 0; p < kc; p++, bi += NR, ak += csA) {
            FloatVector b0 = FloatVector.fromArray(S, pb, bi), b1 = FloatVector.fromArray(S, pb, bi + L);
            FloatVector x;
            x = FloatVector.broadcast(S, a[a0 + ak]); c00 = x.fma(b0, c00); c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, a[a1 + ak]); c10 = x.fma(b0, c10); c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, a[a2 + ak]); c20 = x.fma(b0, c20); c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, a[a3 + ak]); c30 = x.fma(b0, c30); c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(S, a[a4 + ak]); c40 = x.fma(b0, c40); c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(S, a[a5 + ak]); c50 = x.fma(b0, c50); c51 = x.fma(b1, c51);
        }
        c00.intoArray(tile, 0); c01.intoArray(tile, L); c10.intoArray(tile, NR); c11.intoArray(tile, NR + L);
        c20.intoArray(tile, 2 * NR); c21.intoArray(tile, 2 * NR + L); c30.intoArray(tile, 3 * NR); c31.intoArray(tile, 3 * NR + L);
        c40.intoArray(tile, 4 * NR); c41.intoArray(tile, 4 * NR + L); c50.intoArray(tile, 5 * NR); c51.intoArray(tile, 5 * NR + L);
        addTile(tile, MR, 2, c, ci, ldc, valid, alpha);
    }

    /** C[12 rows, ≤L cols] += α·A·Bpanel for a panel with at most one vector of valid columns. */
    private static void tile12x1(float[] a, int ai, int rsA, int csA, float[] pb, int pbi, int kc, float[] tile,
                                 float[] c, int ci, int ldc, int valid, float alpha) {
        FloatVector c0 = FloatVector.zero(S), c1 = FloatVector.zero(S), c2 = FloatVector.zero(S), c3 = FloatVector.zero(S);
        FloatVector c4 = FloatVector.zero(S), c5 = FloatVector.zero(S), c6 = FloatVector.zero(S), c7 = FloatVector.zero(S);
        FloatVector c8 = FloatVector.zero(S), c9 = FloatVector.zero(S), c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        for (int p = 0, bi = pbi, ak = ai; p < kc; p++, bi += NR, ak += csA) {
            FloatVector b = FloatVector.fromArray(S, pb, bi);
            c0 = FloatVector.broadcast(S, a[ak]).fma(b, c0);
            c1 = FloatVector.broadcast(S, a[ak + rsA]).fma(b, c1);
            c2 = FloatVector.broadcast(S, a[ak + 2 * rsA]).fma(b, c2);
            c3 = FloatVector.broadcast(S, a[ak + 3 * rsA]).fma(b, c3);
            c4 = FloatVector.broadcast(S, a[ak + 4 * rsA]).fma(b, c4);
            c5 = FloatVector.broadcast(S, a[ak + 5 * rsA]).fma(b, c5);
            c6 = FloatVector.broadcast(S, a[ak + 6 * rsA]).fma(b, c6);
            c7 = FloatVector.broadcast(S, a[ak + 7 * rsA]).fma(b, c7);
            c8 = FloatVector.broadcast(S, a[ak + 8 * rsA]).fma(b, c8);
            c9 = FloatVector.broadcast(S, a[ak + 9 * rsA]).fma(b, c9);
            c10 = FloatVector.broadcast(S, a[ak + 10 * rsA]).fma(b, c10);
            c11 = FloatVector.broadcast(S, a[ak + 11 * rsA]).fma(b, c11);
        }
        c0.intoArray(tile, 0); c1.intoArray(tile, NR); c2.intoArray(tile, 2 * NR); c3.intoArray(tile, 3 * NR);
        c4.intoArray(tile, 4 * NR); c5.intoArray(tile, 5 * NR); c6.intoArray(tile, 6 * NR); c7.intoArray(tile, 7 * NR);
        c8.intoArray(tile, 8 * NR); c9.intoArray(tile, 9 * NR); c10.intoArray(tile, 10 * NR); c11.intoArray(tile, 11 * NR);
        addTile(tile, MR_NARROW, 1, c, ci, ldc, valid, alpha);
    }

    /** One leftover row: C[1, NR] += α·A[1, kc]·Bpanel. */
    private static void row(float[] a, int ai, int csA, float[] pb, int pbi, int kc, float[] tile,
                            float[] c, int ci, int ldc, int valid, float alpha) {
        FloatVector c0 = FloatVector.zero(S), c1 = FloatVector.zero(S);
        for (int p = 0, bi = pbi, ak = ai; p < kc; p++, bi += NR, ak += csA) {
            FloatVector x = FloatVector.broadcast(S, a[ak]);
            c0 = x.fma(FloatVector.fromArray(S, pb, bi), c0);
            c1 = x.fma(FloatVector.fromArray(S, pb, bi + L), c1);
        }
        c0.intoArray(tile, 0);
        c1.intoArray(tile, L);
        addTile(tile, 1, 2, c, ci, ldc, valid, alpha);
    }

    /**
     * C[rows × valid] += α·tile. The micro-kernels park their accumulators in {@code tile} (row stride NR) and
     * finish here: passing vectors to a method that the JIT might not inline would box them on the heap.
     */
    private static void addTile(float[] tile, int rows, int vectors, float[] c, int ci, int ldc, int valid, float alpha) {
        for (int r = 0; r < rows; r++, ci += ldc) {
            for (int v = 0; v < vectors; v++) {
                int lanes = valid - v * L, ti = r * NR + v * L;
                if (lanes >= L) {
                    FloatVector.fromArray(S, c, ci + v * L).add(FloatVector.fromArray(S, tile, ti).mul(alpha))
                            .intoArray(c, ci + v * L);
                } else {
                    // A partial vector at the right edge of C: scalar (masked vector loads and stores are not
                    // compiled to AVX-512 masks by every JDK 17 and then cost more than the multiply itself).
                    for (int k = 0; k < lanes; k++) c[ci + v * L + k] += alpha * tile[ti + k];
                }
            }
        }
    }
}
