/*
 * gemm.cl: C = alpha * op(A) * op(B) + beta * C (row-major), four versions side by side, each one step further:
 *   v1 naive        one work-item per element of C, everything from global memory
 *   v2 tiled        TS x TS tiles of A and B shared through local memory
 *   v3 regblock     a WPTM x WPTN block of C per work-item in registers, fed from local-memory tiles (GPU default)
 *   v4 packed       B packed into panels, an MR x (NV*VW) block of C per work-item in floatVW registers (CPU default)
 * On PoCL (2 AVX-512 cores) 1024^3 runs at about 1, 2, 5 and 180 GFLOP/s: docs/kernels.md has the measurements.
 *
 * Every version reads A and B through strides, so one kernel covers all four transpose cases:
 *     op(A)(i,p) = A[offA + i*rsA + p*csA]    not transposed: rsA = lda, csA = 1; transposed: rsA = 1, csA = lda
 *     op(B)(p,j) = B[offB + p*rsB + j*csB]
 * With beta == 0, C is written without being read (a fresh buffer may hold anything, even NaN).
 * Tile sizes are -D build options (defaults below), so a GPU and a CPU device can use different values.
 */

#define GEMM_ARGS const int m, const int n, const int k, const float alpha,             \
                  __global const float* A, const int offA, const int rsA, const int csA, \
                  __global const float* B, const int offB, const int rsB, const int csB, \
                  const float beta, __global float* C, const int offC, const int ldc

#define OP_A(i, p) A[offA + (i) * rsA + (p) * csA]
#define OP_B(p, j) B[offB + (p) * rsB + (j) * csB]

inline void store_c(__global float* C, const int idx, const float alpha, const float acc, const float beta) {
    C[idx] = beta == 0.0f ? alpha * acc : alpha * acc + beta * C[idx];
}

/*
 * v1 naive: one work-item per element of C; a dot product of a row of A and a column of B read straight from global
 * memory. Two loads per multiply-add and no reuse between work-items: bounded by memory traffic, a few GFLOP/s.
 */
__kernel void gemm_v1_naive(GEMM_ARGS) {
    const int j = get_global_id(0), i = get_global_id(1);
    if (i >= m || j >= n) return;
    float acc = 0.0f;
    for (int p = 0; p < k; p++) acc = fma(OP_A(i, p), OP_B(p, j), acc);
    store_c(C, offC + i * ldc + j, alpha, acc, beta);
}

/*
 * v2 tiled: a TS x TS work-group first copies a TS x TS tile of A and of B into local memory, then every work-item
 * reads its TS products from there. Each global element is loaded once per tile instead of once per product (TS times
 * less traffic). On GPUs local memory is fast on-chip storage; on a CPU device it is ordinary (cached) memory and the
 * barriers cost more than they save, which is why "textbook" tiled kernels stay slow there.
 */
#ifndef TS
#define TS 16
#endif
__kernel __attribute__((reqd_work_group_size(TS, TS, 1)))
void gemm_v2_tiled(GEMM_ARGS) {
    __local float As[TS][TS];
    __local float Bs[TS][TS];
    const int lj = get_local_id(0), li = get_local_id(1);
    const int j = get_group_id(0) * TS + lj, i = get_group_id(1) * TS + li;
    float acc = 0.0f;
    for (int p0 = 0; p0 < k; p0 += TS) {
        As[li][lj] = (i < m && p0 + lj < k) ? OP_A(i, p0 + lj) : 0.0f;
        Bs[li][lj] = (p0 + li < k && j < n) ? OP_B(p0 + li, j) : 0.0f;
        barrier(CLK_LOCAL_MEM_FENCE);
        for (int p = 0; p < TS; p++) acc = fma(As[li][p], Bs[p][lj], acc);
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (i < m && j < n) store_c(C, offC + i * ldc + j, alpha, acc, beta);
}

/*
 * v3 register-blocked: a work-group computes a TSM x TSN tile of C from TSK-deep slices of A and B in local memory,
 * and each work-item a WPTM x WPTN block of it held in registers. Per k step a work-item loads WPTM + WPTN values
 * from local memory and does WPTM * WPTN multiply-adds, so local-memory traffic falls by that ratio (4x4: 8 loads
 * for 16 FMAs instead of 2 per FMA). Work-items take every RTSM-th row / RTSN-th column of the tile, which keeps
 * local-memory reads free of bank conflicts and global stores coalesced on GPUs. The GPU default.
 */
#ifndef TSM
#define TSM 64
#endif
#ifndef TSN
#define TSN 64
#endif
#ifndef TSK
#define TSK 16
#endif
#ifndef WPTM
#define WPTM 4
#endif
#ifndef WPTN
#define WPTN 4
#endif
#define RTSM (TSM / WPTM)
#define RTSN (TSN / WPTN)

__kernel __attribute__((reqd_work_group_size(RTSN, RTSM, 1)))
void gemm_v3_regblock(GEMM_ARGS) {
    __local float As[TSK][TSM];
    __local float Bs[TSK][TSN];
    const int tn = get_local_id(0), tm = get_local_id(1);
    const int tid = tm * RTSN + tn, threads = RTSM * RTSN;
    const int row0 = get_group_id(1) * TSM, col0 = get_group_id(0) * TSN;
    float acc[WPTM][WPTN];
    for (int a = 0; a < WPTM; a++)
        for (int b = 0; b < WPTN; b++) acc[a][b] = 0.0f;
    for (int p0 = 0; p0 < k; p0 += TSK) {
        // Cooperative loads; consecutive work-items take consecutive addresses in whichever direction is contiguous.
        for (int e = tid; e < TSK * TSM; e += threads) {
            const int pp = csA == 1 ? e % TSK : e / TSM, ii = csA == 1 ? e / TSK : e % TSM;
            const int i = row0 + ii, p = p0 + pp;
            As[pp][ii] = (i < m && p < k) ? OP_A(i, p) : 0.0f;
        }
        for (int e = tid; e < TSK * TSN; e += threads) {
            const int pp = csB == 1 ? e / TSN : e % TSK, jj = csB == 1 ? e % TSN : e / TSK;
            const int j = col0 + jj, p = p0 + pp;
            Bs[pp][jj] = (j < n && p < k) ? OP_B(p, j) : 0.0f;
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        for (int p = 0; p < TSK; p++) {
            float ar[WPTM], br[WPTN];
            for (int a = 0; a < WPTM; a++) ar[a] = As[p][tm + a * RTSM];
            for (int b = 0; b < WPTN; b++) br[b] = Bs[p][tn + b * RTSN];
            for (int a = 0; a < WPTM; a++)
                for (int b = 0; b < WPTN; b++) acc[a][b] = fma(ar[a], br[b], acc[a][b]);
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    for (int a = 0; a < WPTM; a++) {
        const int i = row0 + tm + a * RTSM;
        if (i >= m) continue;
        for (int b = 0; b < WPTN; b++) {
            const int j = col0 + tn + b * RTSN;
            if (j < n) store_c(C, offC + i * ldc + j, alpha, acc[a][b], beta);
        }
    }
}

/*
 * v4 packed, register-blocked and vectorised (the CPU default): the layout of a BLIS micro-kernel.
 *  1. gemm_pack_b copies op(B) into panels NR = VW * NV columns wide, k-major and zero-padded past n: each k step of a
 *     panel is NV aligned, contiguous vector loads whatever the transposition of B, and the 4 KiB row stride of a
 *     1024-wide B (which maps every row to the same L1 set) is gone.
 *  2. One work-item computes an MR x NR block of C in MR * NV vector registers (floatVW: 4, 8 or 16 lanes, the SIMD
 *     width of the device): per k step it loads NV vectors of B, broadcasts MR scalars of A and does MR * NV vector
 *     FMAs: 2 * MR * NR flops for NV + MR loads. With VW = 16, MR = 8, NV = 2 that is 16 AVX-512 FMAs per 10 loads.
 *  3. Rows past m read row m-1 (no branches in the inner loop) and are not stored.
 * A work-group of LS work-items takes consecutive row blocks of the same panel, which then stays in cache.
 * When every panel is read by one work-group only (few rows, as in the 7x7 layers) and an untransposed B needs no
 * padding, the kernel reads B in place (panel q starts at column q*NR, rows ldbp = rsB apart): packing would copy
 * all of B to save nothing. So it does when B already is a single panel in packed layout (n = NR, rows NR apart).
 * Otherwise panel q starts at q*k*NR of the packed copy, rows NR apart.
 */
#ifndef VW
#define VW 16
#endif
#ifndef NV
#define NV 2
#endif
#ifndef MR
#define MR 8
#endif
#define NR (VW * NV)
#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)
#define VEC CAT(float, VW)
#define VLOAD CAT(vload, VW)
#define VSTORE CAT(vstore, VW)

/* Bp[(q*k + p)*NR + jj] = op(B)(p, q*NR + jj), 0 past column n. One work-item per (p, panel q); a full panel row of
   an untransposed B is NV vector copies. */
__kernel void gemm_pack_b(const int n, const int k, __global const float* B, const int offB, const int rsB,
                          const int csB, __global float* Bp) {
    const int p = get_global_id(0), q = get_global_id(1);
    if (p >= k || q * NR >= n) return;
    __global float* dst = Bp + ((size_t) q * k + p) * NR;
    if (csB == 1 && (q + 1) * NR <= n) {
        __global const float* src = B + offB + p * rsB + q * NR;
        #pragma unroll
        for (int v = 0; v < NV; v++) VSTORE(VLOAD(v, src), v, dst);
    } else {
        for (int jj = 0; jj < NR; jj++) {
            const int j = q * NR + jj;
            dst[jj] = j < n ? OP_B(p, j) : 0.0f;
        }
    }
}

/*
 * v4 can apply the output stage (EPILOGUE=1) to C's columns while the tile is still in registers:
 * C = clamp(alpha·AB·scale[j] + shift[j], lo, hi).
 */
#include "epilogue.h"

__kernel void gemm_v4_packed(const int m, const int n, const int k, const float alpha,
                             __global const float* A, const int offA, const int rsA, const int csA,
                             __global const float* Bp, const int offBp, const int panelStride, const int ldbp,
                             const float beta, __global float* C, const int offC, const int ldc EPILOGUE_ARGS) {
    const int i0 = get_global_id(0) * MR, q = get_global_id(1);
    if (i0 >= m) return;
    __global const float* arow[MR];
    #pragma unroll
    for (int r = 0; r < MR; r++) arow[r] = A + offA + min(i0 + r, m - 1) * rsA;
    VEC acc[MR][NV];
    #pragma unroll
    for (int r = 0; r < MR; r++)
        #pragma unroll
        for (int v = 0; v < NV; v++) acc[r][v] = (VEC) 0.0f;
    __global const float* bp = Bp + offBp + (size_t) q * panelStride;
    for (int p = 0; p < k; p++) {
        VEC b[NV];
        #pragma unroll
        for (int v = 0; v < NV; v++) b[v] = VLOAD(v, bp + p * ldbp);
        const int ap = p * csA;
        #pragma unroll
        for (int r = 0; r < MR; r++) {
            const VEC a = (VEC) arow[r][ap];
            #pragma unroll
            for (int v = 0; v < NV; v++) acc[r][v] = fma(a, b[v], acc[r][v]);
        }
    }
    const int j0 = q * NR;
    #pragma unroll
    for (int r = 0; r < MR; r++) {
        if (i0 + r >= m) break;
        __global float* c = C + offC + (i0 + r) * ldc + j0;
        #pragma unroll
        for (int v = 0; v < NV; v++) {
            const int jv = v * VW;
            if (j0 + jv + VW <= n) {
                VEC out = alpha * acc[r][v];
                if (beta != 0.0f) out += beta * VLOAD(0, c + jv);
#if EPILOGUE
                out = clamp(fma(out, VLOAD(0, scale + j0 + jv), VLOAD(0, shift + j0 + jv)), lo, hi);
#endif
                VSTORE(out, 0, c + jv);
            } else {
                float lanes[VW];
                VSTORE(acc[r][v], 0, lanes);
                for (int l = 0; l < VW && j0 + jv + l < n; l++) {
#if EPILOGUE
                    const int j = j0 + jv + l;
                    c[jv + l] = clamp(fma(beta == 0.0f ? alpha * lanes[l] : alpha * lanes[l] + beta * c[jv + l], scale[j], shift[j]), lo, hi);
#else
                    store_c(c, jv + l, alpha, lanes[l], beta);
#endif
                }
            }
        }
    }
}
