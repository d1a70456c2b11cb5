/*
 * block.cl's register-blocked product, included once per instance with PRODUCT (its name), PNV (vectors per panel)
 * and PMR (rows per tile) defined: the expansion and the projection each get the tile that fits their width, and
 * OpenCL C has no templates.
 */
#define PNR (VW * PNV)

/*
 * C[i][j] = clamp(sum_p A[i][p] * B[p][j] * scale[j] + shift[j], lo, hi) (+ R[i][j] when R is not 0), i < m, j < n.
 * B comes packed by gemm_pack_b: panels PNR columns wide, panel q at q*k*PNR, rows PNR apart, zero past n. The
 * layout of gemm_v4_packed's work-item, looped over the row blocks of each panel while the panel stays in cache;
 * rows past m read row m-1 and are not stored.
 */
INLINE void PRODUCT(const int m, const int n, const int k, __global const float* A, const int lda,
                    __global const float* Bp, __global const float* scale, __global const float* shift,
                    const float lo, const float hi, __global float* C, const int ldc, __global const float* R) {
    for (int j0 = 0; j0 < n; j0 += PNR) {
        __global const float* bp = Bp + (size_t) j0 * k;
        // the output stage's vectors, loaded once per panel: C may alias them as far as the compiler knows, so it
        // would load them again after every store
        VEC sc[PNV], sh[PNV];
        #pragma unroll
        for (int v = 0; v < PNV; v++) {
            const bool whole = j0 + (v + 1) * VW <= n;
            sc[v] = whole ? VLOAD(0, scale + j0 + v * VW) : (VEC) 0.0f;
            sh[v] = whole ? VLOAD(0, shift + j0 + v * VW) : (VEC) 0.0f;
        }
        for (int i0 = 0; i0 < m; i0 += PMR) {
            __global const float* arow[PMR];
            #pragma unroll
            for (int r = 0; r < PMR; r++) arow[r] = A + min(i0 + r, m - 1) * lda;
            VEC acc[PMR][PNV];
            #pragma unroll
            for (int r = 0; r < PMR; r++)
                #pragma unroll
                for (int v = 0; v < PNV; v++) acc[r][v] = (VEC) 0.0f;
            for (int p = 0; p < k; p++) {
                VEC b[PNV];
                #pragma unroll
                for (int v = 0; v < PNV; v++) b[v] = VLOAD(v, bp + p * PNR);
                #pragma unroll
                for (int r = 0; r < PMR; r++) {
                    const VEC a = (VEC) arow[r][p];
                    #pragma unroll
                    for (int v = 0; v < PNV; v++) acc[r][v] = fma(a, b[v], acc[r][v]);
                }
            }
            #pragma unroll
            for (int r = 0; r < PMR; r++) {
                if (i0 + r >= m) break;
                __global float* c = C + (i0 + r) * ldc;
                __global const float* res = R == 0 ? 0 : R + (i0 + r) * ldc;
                #pragma unroll
                for (int v = 0; v < PNV; v++) {
                    const int j = j0 + v * VW;
                    if (j + VW <= n) {
                        VEC out = clamp(fma(acc[r][v], sc[v], sh[v]), lo, hi);
                        if (res != 0) out += VLOAD(0, res + j);
                        VSTORE(out, 0, c + j);
                    } else {
                        float lanes[VW];
                        VSTORE(acc[r][v], 0, lanes);
                        for (int l = 0; l < VW && j + l < n; l++)
                            c[j + l] = clamp(fma(lanes[l], scale[j + l], shift[j + l]), lo, hi)
                                       + (res != 0 ? res[j + l] : 0.0f);
                    }
                }
            }
        }
    }
}

#undef PNR
