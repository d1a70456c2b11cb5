/*
 * pool.cl: max pooling and global average pooling over NHWC tensors.
 * Geometry arguments: n, h, w, c (input), kh, kw, stride, pt, pl (top/left padding), oh_, ow_ (output size).
 */

#define POOL_ARGS const int n, const int h, const int w, const int c, const int kh, const int kw, \
                  const int stride, const int pt, const int pl, const int oh_, const int ow_

/* Index into x of the first maximum of window (img, oh, ow) in channel ch, scanning rows then columns; padded cells
   never win. Max pooling's forward and backward both use it, so the gradient goes exactly where the value came from. */
inline int window_argmax(POOL_ARGS, __global const float* x, const int img, const int oh, const int ow, const int ch) {
    int best = -1;
    float best_value = -INFINITY;
    for (int i = 0; i < kh; i++) {
        const int ih = oh * stride + i - pt;
        if (ih < 0 || ih >= h) continue;
        for (int j = 0; j < kw; j++) {
            const int iw = ow * stride + j - pl;
            if (iw < 0 || iw >= w) continue;
            const int idx = ((img * h + ih) * w + iw) * c + ch;
            const float v = x[idx];
            if (best < 0 || v > best_value) {
                best = idx;
                best_value = v;
            }
        }
    }
    return best;
}

/*
 * Max pooling forward: a work-item takes VW adjacent channels of one output pixel (grid: channel vector, output column,
 * image * oh_ + output row) and keeps a running vector maximum. VW is a build option that divides c (the host picks the
 * widest of 16, 8, 4, 2, 1 that does); the value of the maximum does not depend on which tied cell wins.
 */
#ifndef VW
#define VW 1
#endif
#include "vectors.h"

__kernel void max_pool(POOL_ARGS, __global const float* x, __global float* y) {
    const int cv = get_global_id(0), ow = get_global_id(1), row = get_global_id(2);
    if (cv * VW >= c || ow >= ow_ || row >= n * oh_) return;
    const int img = row / oh_, oh = row % oh_, c0 = cv * VW;
    VEC best = (VEC) -INFINITY;
    for (int i = 0; i < kh; i++) {
        const int ih = oh * stride + i - pt;
        if (ih < 0 || ih >= h) continue;
        for (int j = 0; j < kw; j++) {
            const int iw = ow * stride + j - pl;
            if (iw >= 0 && iw < w) best = fmax(best, VLOAD(0, x + ((img * h + ih) * w + iw) * c + c0));
        }
    }
    VSTORE(best, 0, y + (row * ow_ + ow) * c + c0);
}

/*
 * dx += dy routed to each window's first maximum, written as a gather: the work-item of input element (ih, iw)
 * visits the windows that cover it and takes dy from those whose maximum it is. Overlapping windows need no atomics.
 * Grid (channel, input column, image * h + input row).
 */
__kernel void max_pool_grad(POOL_ARGS, __global const float* x, __global const float* dy, __global float* dx) {
    const int ch = get_global_id(0), iw = get_global_id(1), row = get_global_id(2);
    if (ch >= c || iw >= w || row >= n * h) return;
    const int img = row / h, ih = row % h, idx = (row * w + iw) * c + ch;
    // windows oh with oh*stride - pt <= ih <= oh*stride - pt + kh - 1
    const int oh_lo = max(0, (ih + pt - kh + stride) / stride), oh_hi = min(oh_ - 1, (ih + pt) / stride);
    const int ow_lo = max(0, (iw + pl - kw + stride) / stride), ow_hi = min(ow_ - 1, (iw + pl) / stride);
    float g = 0.0f;
    for (int oh = oh_lo; oh <= oh_hi; oh++)
        for (int ow = ow_lo; ow <= ow_hi; ow++)
            if (window_argmax(n, h, w, c, kh, kw, stride, pt, pl, oh_, ow_, x, img, oh, ow, ch) == idx)
                g += dy[((img * oh_ + oh) * ow_ + ow) * c + ch];
    dx[idx] += g;
}

/* y[img, ch] = mean over hw of x[img, :, ch]; a work-item sums VW adjacent channels of one image (grid: channel
   vector, image). */
__kernel void global_average_pool(const int n, const int hw, const int c, __global const float* x, __global float* y) {
    const int cv = get_global_id(0), img = get_global_id(1);
    if (cv * VW >= c || img >= n) return;
    VEC s = (VEC) 0.0f;
    __global const float* p = x + img * hw * c + cv * VW;
    for (int q = 0; q < hw; q++) s += VLOAD(0, p + q * c);
    VSTORE(s / (float) hw, 0, y + img * c + cv * VW);
}

/* dx[img, p, ch] += dy[img, ch] / hw; grid (channel, position, image). */
__kernel void global_average_pool_grad(const int n, const int hw, const int c, __global const float* dy,
                                   __global float* dx) {
    const int ch = get_global_id(0), p = get_global_id(1), img = get_global_id(2);
    if (ch >= c || p >= hw || img >= n) return;
    dx[(img * hw + p) * c + ch] += dy[img * c + ch] / hw;
}
