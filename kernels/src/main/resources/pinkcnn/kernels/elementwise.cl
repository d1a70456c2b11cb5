/*
 * elementwise.cl: each work-item handles VW consecutive floats (a build option: 16 on CPUs, one AVX-512 register;
 * 4 on GPUs) with vector loads and stores; the last work-item finishes an odd tail one float at a time. VW floats per
 * work-item instead of one means VW times fewer work-items and work-groups, which matters on CPU runtimes where
 * every work-group has a scheduling cost. Kernels named *_grad add into their output, as the backend contract says.
 * EACH, LD and ST come from streams.h.
 */
#include "streams.h"

__kernel void fill(const int n, const float value, __global float* y) {
    EACH(n, ST((VEC) value, y), y[i] = value)
}

/* The bandwidth reference of the benchmarks: a plain copy. */
__kernel void copy_vec(const int n, __global const float* x, __global float* y) {
    EACH(n, ST(LD(x), y), y[i] = x[i])
}

/* y = min(max(x, 0), cap) */
__kernel void relu(const int n, const float cap, __global const float* x, __global float* y) {
    EACH(n, ST(fmin(fmax(LD(x), 0.0f), cap), y), y[i] = fmin(fmax(x[i], 0.0f), cap))
}

/* dx += dy where 0 < x < cap */
__kernel void relu_grad(const int n, const float cap, __global const float* x, __global const float* dy,
                        __global float* dx) {
    EACH(n,
         const VEC xv = LD(x); ST(LD(dx) + select((VEC) 0.0f, LD(dy), (xv > 0.0f) & (xv < cap)), dx),
         if (x[i] > 0.0f && x[i] < cap) dx[i] += dy[i])
}

__kernel void add(const int n, __global const float* a, __global const float* b, __global float* y) {
    EACH(n, ST(LD(a) + LD(b), y), y[i] = a[i] + b[i])
}

__kernel void mul(const int n, __global const float* a, __global const float* b, __global float* y) {
    EACH(n, ST(LD(a) * LD(b), y), y[i] = a[i] * b[i])
}

/* da += dy * b */
__kernel void mul_grad(const int n, __global const float* dy, __global const float* b, __global float* da) {
    EACH(n, ST(LD(da) + LD(dy) * LD(b), da), da[i] += dy[i] * b[i])
}

/* y = alpha * x (y may be x) */
__kernel void scale(const int n, const float alpha, __global const float* x, __global float* y) {
    EACH(n, ST(alpha * LD(x), y), y[i] = alpha * x[i])
}

/* y += alpha * x */
__kernel void axpy(const int n, const float alpha, __global const float* x, __global float* y) {
    EACH(n, ST(LD(y) + alpha * LD(x), y), y[i] += alpha * x[i])
}

/*
 * Inverted dropout with the counter-based mask every backend shares (pinkcnn.engine.backend.DropoutMask): SplitMix64's
 * finaliser of seed + (i+1)*phi; element i is kept iff its top 24 bits are >= threshold = floor(rate * 2^24).
 */
inline uint dropout_hash(const ulong seed, const ulong i) {
    ulong z = seed + (i + 1) * 0x9E3779B97F4A7C15UL;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
    z ^= z >> 31;
    return (uint) (z >> 40);
}

__kernel void dropout(const int n, const int threshold, const float keep_scale, const long seed,
                      __global const float* x, __global float* mask, __global float* y) {
    const int i = get_global_id(0);
    if (i >= n) return;
    const float m = dropout_hash((ulong) seed, (ulong) i) >= (uint) threshold ? keep_scale : 0.0f;
    mask[i] = m;
    y[i] = x[i] * m;
}

/*
 * Zero padding, on a (position in a row of floats, row, image) grid: an output row of pw*c floats is zeros, then the
 * input row's w*c floats (at left*c), then zeros again; no per-element division.
 */
__kernel void pad(const int n, const int h, const int w, const int c, const int top, const int left, const int ph,
                  const int pw, __global const float* x, __global float* y) {
    const int i = get_global_id(0), oh = get_global_id(1), img = get_global_id(2);
    if (i >= pw * c || oh >= ph || img >= n) return;
    const int ih = oh - top, k = i - left * c;
    y[(img * ph + oh) * pw * c + i] = (ih >= 0 && ih < h && k >= 0 && k < w * c) ? x[(img * h + ih) * w * c + k] : 0.0f;
}

/* dx += the interior of dy; grid (position in an input row of floats, input row, image). */
__kernel void pad_grad(const int n, const int h, const int w, const int c, const int top, const int left,
                       const int ph, const int pw, __global const float* dy, __global float* dx) {
    const int i = get_global_id(0), ih = get_global_id(1), img = get_global_id(2);
    if (i >= w * c || ih >= h || img >= n) return;
    dx[(img * h + ih) * w * c + i] += dy[(img * ph + ih + top) * pw * c + left * c + i];
}
