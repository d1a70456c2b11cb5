/*
 * peak.cl: the device's fp32 peak, measured the way clpeak measures it. Each work-item runs CHAINS independent chains
 * of multiply-adds on float16 values and stores one float at the end, so the time is arithmetic alone. Independent
 * chains matter on a CPU device: one chain waits on each FMA's latency (4 cycles) and reaches a small fraction of the
 * peak; CHAINS (12 on CPU devices) keeps both AVX-512 FMA pipes busy, as a GEMM micro-kernel does with its C block.
 * On a GPU the work-items are the parallelism, so there 2 chains (clpeak's x and y) keep the registers few.
 * The multiplier m is an argument (about 0.9999), so the compiler cannot fold the chains, and every value converges
 * towards c / (1 - m) without overflowing or becoming denormal.
 */

#ifndef CHAINS
#define CHAINS 12
#endif

__kernel void peak_fma(const int rounds, const float m, __global float* out) {
    const float16 mv = (float16) m, c = (float16) 1e-4f;
    float16 a[CHAINS];
    #pragma unroll
    for (int j = 0; j < CHAINS; j++) a[j] = (float16) (get_global_id(0) % 7 + j);
    for (int r = 0; r < rounds; r++) {
        #pragma unroll
        for (int j = 0; j < CHAINS; j++) a[j] = fma(a[j], mv, c);
    }
    float16 s = a[0];
    #pragma unroll
    for (int j = 1; j < CHAINS; j++) s += a[j];
    float8 h8 = s.lo + s.hi;
    float4 h4 = h8.lo + h8.hi;
    float2 h2 = h4.lo + h4.hi;
    out[get_global_id(0)] = h2.x + h2.y;
}
