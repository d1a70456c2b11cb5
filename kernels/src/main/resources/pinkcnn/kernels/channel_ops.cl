/*
 * channel_ops.cl: per-channel kernels over an NHWC tensor seen as rows x c (rows = n*h*w): batch norm's affine map,
 * statistics and gradients, and bias.
 *
 * Sums over rows are done in two steps so that every step has plenty of parallel work and no atomics:
 *   column_partials: work-item (ch, q) sums rows [q*chunk, (q+1)*chunk) of column ch: s0 = sum a, and
 *                    s1 = sum (a - ca[ch]) * (b - cb[ch])   (centres make the variance a two-pass, cancellation-free sum)
 *   *_finish:        one work-item per channel adds up the partials of all chunks and writes the result.
 * Neighbouring work-items take neighbouring channels, so every row read is contiguous across them.
 */

/* The elementwise per-channel kernels run on a (channel, row) grid: no division by c per element. */

/* dx += dy * scale[ch] */
__kernel void channel_affine_grad_dx(const int rows, const int c, __global const float* dy,
                                     __global const float* scale, __global float* dx) {
    const int ch = get_global_id(0), r = get_global_id(1);
    if (ch >= c || r >= rows) return;
    dx[r * c + ch] += dy[r * c + ch] * scale[ch];
}

__kernel void bias_add(const int rows, const int c, __global const float* x, __global const float* bias,
                       __global float* y) {
    const int ch = get_global_id(0), r = get_global_id(1);
    if (ch >= c || r >= rows) return;
    y[r * c + ch] = x[r * c + ch] + bias[ch];
}

/*
 * flags: bit 0 = use b (else s1 = 0), bit 1 = use ca, bit 2 = use cb. partial[(q*2 + s)*c + ch]. A work-item sums VW
 * adjacent channels (a build option dividing c; the host picks the widest of 16, 8, 4, 2, 1 that does).
 */
#ifndef VW
#define VW 1
#endif
#include "vectors.h"

/*
 * y = x * scale[ch] + shift[ch] (inference batch norm). A work-item does VW adjacent channels of one row as one vector
 * (VW: the widest of 16, 8, 4, 2, 1 dividing c): one work-item per float left PoCL far from memory speed.
 */
__kernel void channel_affine(const int rows, const int c, __global const float* x, __global const float* scale,
                             __global const float* shift, __global float* y) {
    const int cv = get_global_id(0), r = get_global_id(1);
    if (cv * VW >= c || r >= rows) return;
    const int o = r * c + cv * VW;
    VSTORE(VLOAD(0, x + o) * VLOAD(0, scale + cv * VW) + VLOAD(0, shift + cv * VW), 0, y + o);
}

/* y = clamp(x * scale[ch] + shift[ch], 0, cap): inference batch norm fused with the ReLU / ReLU6 after it */
__kernel void channel_affine_clamp(const int rows, const int c, __global const float* x, __global const float* scale,
                                   __global const float* shift, const float cap, __global float* y) {
    const int cv = get_global_id(0), r = get_global_id(1);
    if (cv * VW >= c || r >= rows) return;
    const int o = r * c + cv * VW;
    const VEC v = VLOAD(0, x + o) * VLOAD(0, scale + cv * VW) + VLOAD(0, shift + cv * VW);
    VSTORE(fmin(fmax(v, (VEC) 0.0f), (VEC) cap), 0, y + o);
}

__kernel void column_partials(const int rows, const int c, const int chunk, const int flags,
                              __global const float* a, __global const float* b, __global const float* ca,
                              __global const float* cb, __global float* partial) {
    const int cv = get_global_id(0), q = get_global_id(1);
    if (cv * VW >= c || q * chunk >= rows) return;
    const int c0 = cv * VW, r0 = q * chunk, r1 = min(rows, r0 + chunk);
    const VEC ac = (flags & 2) ? VLOAD(0, ca + c0) : (VEC) 0.0f, bc = (flags & 4) ? VLOAD(0, cb + c0) : (VEC) 0.0f;
    VEC s0 = (VEC) 0.0f, s1 = (VEC) 0.0f;
    if (flags & 1) {
        for (int r = r0; r < r1; r++) {
            const VEC av = VLOAD(0, a + r * c + c0);
            s0 += av;
            s1 = fma(av - ac, VLOAD(0, b + r * c + c0) - bc, s1);
        }
    } else {
        for (int r = r0; r < r1; r++) s0 += VLOAD(0, a + r * c + c0);
    }
    VSTORE(s0, 0, partial + (q * 2) * c + c0);
    VSTORE(s1, 0, partial + (q * 2 + 1) * c + c0);
}

inline float2 partial_total(const int c, const int chunks, __global const float* partial, const int ch) {
    float2 s = (float2) (0.0f, 0.0f);
    for (int q = 0; q < chunks; q++) s += (float2) (partial[(q * 2) * c + ch], partial[(q * 2 + 1) * c + ch]);
    return s;
}

/* channelAffineGrad's parameter part: dShift += sum dy, dScale += sum dy*x (flags: bit 0 dScale, bit 1 dShift). */
__kernel void affine_grad_finish(const int c, const int chunks, const int flags, __global const float* partial,
                                 __global float* dscale, __global float* dshift) {
    const int ch = get_global_id(0);
    if (ch >= c) return;
    const float2 s = partial_total(c, chunks, partial, ch);
    if (flags & 1) dscale[ch] += s.y;
    if (flags & 2) dshift[ch] += s.x;
}

/* dBias += sum dy */
__kernel void bias_grad_finish(const int c, const int chunks, __global const float* partial, __global float* dbias) {
    const int ch = get_global_id(0);
    if (ch < c) dbias[ch] += partial_total(c, chunks, partial, ch).x;
}

/* mean = sum x / rows (the first pass of channelMoments). */
__kernel void mean_finish(const int c, const int chunks, const int rows, __global const float* partial,
                          __global float* mean) {
    const int ch = get_global_id(0);
    if (ch < c) mean[ch] = partial_total(c, chunks, partial, ch).x / rows;
}

/* var = sum (x - mean)^2 / rows (the second pass). */
__kernel void var_finish(const int c, const int chunks, const int rows, __global const float* partial,
                         __global float* var) {
    const int ch = get_global_id(0);
    if (ch < c) var[ch] = partial_total(c, chunks, partial, ch).y / rows;
}

/*
 * Batch-norm backward, parameter part and the two per-channel sums the input gradient needs:
 * sums[ch] = sum dy, sums[c + ch] = sum dy*xhat = invStd * sum dy*(x - mean). dGamma += sum dy*xhat, dBeta += sum dy
 * (flags: bit 0 dGamma, bit 1 dBeta).
 */
__kernel void batchnorm_grad_finish(const int c, const int chunks, const int flags, const float eps,
                                    __global const float* partial, __global const float* var, __global float* sums,
                                    __global float* dgamma, __global float* dbeta) {
    const int ch = get_global_id(0);
    if (ch >= c) return;
    const float2 s = partial_total(c, chunks, partial, ch);
    const float sum_dy_xhat = s.y / sqrt(var[ch] + eps);
    sums[ch] = s.x;
    sums[c + ch] = sum_dy_xhat;
    if (flags & 1) dgamma[ch] += sum_dy_xhat;
    if (flags & 2) dbeta[ch] += s.x;
}

/* dx += gamma * invStd * (dy - mean(dy) - xhat * mean(dy * xhat)) */
__kernel void batchnorm_grad_dx(const int rows, const int c, const float eps, __global const float* x,
                                __global const float* dy, __global const float* mean, __global const float* var,
                                __global const float* gamma, __global const float* sums, __global float* dx) {
    const int ch = get_global_id(0), r = get_global_id(1);
    if (ch >= c || r >= rows) return;
    const int i = r * c + ch;
    const float inv_std = 1.0f / sqrt(var[ch] + eps);
    const float xhat = (x[i] - mean[ch]) * inv_std;
    dx[i] += gamma[ch] * inv_std * (dy[i] - sums[ch] / rows - xhat * sums[c + ch] / rows);
}

/* scale = gamma / sqrt(var + eps), shift = beta - mean * scale */
__kernel void batchnorm_scale_shift(const int c, const float eps, __global const float* gamma,
                                    __global const float* beta, __global const float* mean, __global const float* var,
                                    __global float* scale, __global float* shift) {
    const int ch = get_global_id(0);
    if (ch >= c) return;
    const float s = gamma[ch] / sqrt(var[ch] + eps);
    scale[ch] = s;
    shift[ch] = beta[ch] - mean[ch] * s;
}
