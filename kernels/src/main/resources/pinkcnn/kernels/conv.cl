/*
 * conv.cl: dense convolution as GEMM (NHWC input, HWIO kernel). A 1x1 stride-1 convolution needs no kernel of its
 * own: it is a GEMM over the n*h*w pixel rows. Any other convolution first unfolds the receptive fields into a matrix
 * (im2col: one row per output pixel, kh*kw*cin columns in HWI order, the row order of the HWIO kernel), multiplies it
 * with the kernel, and for the input gradient folds the column gradient back (col2im):
 *     y = col * W        dW += col^T * dy        dcol = dy * W^T, then dx += col2im(dcol)
 * Geometry arguments: h, w, cin, kh, kw, stride, pt, pl, oh_, ow_; images [img0, img0 + count) of the batch.
 */

#define CONV_ARGS const int h, const int w, const int cin, const int kh, const int kw, const int stride, \
                  const int pt, const int pl, const int oh_, const int ow_

/* col[r, (i*kw + j)*cin + ci] = x[img, oh*s + i - pt, ow*s + j - pl, ci] (0 outside), r = (local image * oh_ + oh) *
   ow_ + ow. Grid (ow, local image * oh_ + oh): a work-item writes one row of col, kh*kw*cin floats. */
__kernel void im2col(CONV_ARGS, const int img0, const int count, __global const float* x, __global float* col) {
    const int ow = get_global_id(0), row = get_global_id(1);
    if (ow >= ow_ || row >= count * oh_) return;
    const int img = img0 + row / oh_, oh = row % oh_;
    __global float* dst = col + (size_t) (row * ow_ + ow) * (kh * kw * cin);
    for (int i = 0; i < kh; i++) {
        const int ih = oh * stride + i - pt;
        for (int j = 0; j < kw; j++, dst += cin) {
            const int iw = ow * stride + j - pl;
            if (ih < 0 || ih >= h || iw < 0 || iw >= w) {
                for (int ci = 0; ci < cin; ci++) dst[ci] = 0.0f;
            } else {
                __global const float* src = x + ((img * h + ih) * w + iw) * cin;
                for (int ci = 0; ci < cin; ci++) dst[ci] = src[ci];
            }
        }
    }
}

/* dx[img, ih, iw, :] += the col entries of the output pixels whose windows cover (ih, iw): a gather, so work-items own
   disjoint pixels of dx and need no atomics. Grid (iw, local image * h + ih); a work-item updates cin floats. */
__kernel void col2im_add(CONV_ARGS, const int img0, const int count, __global const float* col, __global float* dx) {
    const int iw = get_global_id(0), row = get_global_id(1);
    if (iw >= w || row >= count * h) return;
    const int li = row / h, ih = row % h, kdim = kh * kw * cin;
    __global float* dst = dx + ((size_t) img0 * h * w + row * w + iw) * cin;
    for (int i = 0; i < kh; i++) {
        const int th = ih + pt - i;
        if (th < 0 || th % stride != 0 || th / stride >= oh_) continue;
        for (int j = 0; j < kw; j++) {
            const int tw = iw + pl - j;
            if (tw < 0 || tw % stride != 0 || tw / stride >= ow_) continue;
            __global const float* src = col + (size_t) ((li * oh_ + th / stride) * ow_ + tw / stride) * kdim + (i * kw + j) * cin;
            for (int ci = 0; ci < cin; ci++) dst[ci] += src[ci];
        }
    }
}

#ifdef NVC
/*
 * Direct convolution of an input with few channels (the stem: 3x3 from 3 channels), built with KH, KW, CIN, STRIDE
 * (so that the loops over the taps unroll), VW, NVC = cout / VW (the output channels as whole vectors), OWB and
 * optionally the output stage (EPILOGUE=1). Its im2col rows would
 * be only kh*kw*cin = 27 floats: writing them and reading them back into the GEMM cost more than the product itself
 * (docs/kernels.md). Here a work-item computes OWB output pixels of one
 * row, all cout channels, straight from the image: per tap and input channel, NVC weight vectors and OWB broadcast
 * inputs feed OWB*NVC FMAs. Taps outside the image read 0: only work-items at a border check columns.
 * Grid (column block, image * oh_ + output row).
 */
#include "vectors.h"
#include "epilogue.h"

/* acc += the taps of output row oh, pixels ow0 .. ow0 + OWB - 1; inlined twice: inside the image (checked false),
   every input address is a constant offset from the row's first, and at the borders each column is checked. */
static inline __attribute__((always_inline)) void direct_taps(VEC acc[OWB][NVC], __global const float* x,
                                                              __global const float* wt, const int h, const int w,
                                                              const int img, const int oh, const int pt,
                                                              const int iw0, const bool checked) {
    for (int i = 0; i < KH; i++) {
        const int ih = oh * STRIDE + i - pt;
        if (ih < 0 || ih >= h) continue;
        __global const float* xrow = x + (size_t) (img * h + ih) * w * CIN;
        #pragma unroll
        for (int j = 0; j < KW; j++) {
            #pragma unroll
            for (int ci = 0; ci < CIN; ci++) {
                __global const float* wp = wt + ((i * KW + j) * CIN + ci) * (NVC * VW);
                VEC wv[NVC];
                #pragma unroll
                for (int v = 0; v < NVC; v++) wv[v] = VLOAD(v, wp);
                #pragma unroll
                for (int o = 0; o < OWB; o++) {
                    const int iw = iw0 + o * STRIDE + j;
                    VEC a;
                    if (!checked) a = (VEC) xrow[iw * CIN + ci];
                    else a = (VEC) (iw >= 0 && iw < w ? xrow[clamp(iw, 0, w - 1) * CIN + ci] : 0.0f);
                    #pragma unroll
                    for (int v = 0; v < NVC; v++) acc[o][v] = fma(a, wv[v], acc[o][v]);
                }
            }
        }
    }
}

__kernel void conv_direct(CONV_ARGS, const int n, __global const float* x, __global const float* wt,
                          __global float* y EPILOGUE_ARGS) {
    const int ow0 = get_global_id(0) * OWB, row = get_global_id(1);
    if (ow0 >= ow_ || row >= n * oh_) return;
    const int img = row / oh_, oh = row % oh_, iw0 = ow0 * STRIDE - pl;
    VEC acc[OWB][NVC];
    #pragma unroll
    for (int o = 0; o < OWB; o++)
        #pragma unroll
        for (int v = 0; v < NVC; v++) acc[o][v] = (VEC) 0.0f;
    if (iw0 >= 0 && ow0 + OWB <= ow_ && (ow0 + OWB - 1) * STRIDE - pl + KW <= w) {
        direct_taps(acc, x, wt, h, w, img, oh, pt, iw0, false);
    } else {
        direct_taps(acc, x, wt, h, w, img, oh, pt, iw0, true);
    }
    __global float* out = y + ((size_t) row * ow_ + ow0) * (NVC * VW);
    #pragma unroll
    for (int o = 0; o < OWB; o++) {
        if (ow0 + o >= ow_) break;
        #pragma unroll
        for (int v = 0; v < NVC; v++) {
#if EPILOGUE
            const VEC r = clamp(fma(acc[o][v], VLOAD(v, scale), VLOAD(v, shift)), lo, hi);
#else
            const VEC r = acc[o][v];
#endif
            VSTORE(r, 0, out + o * (NVC * VW) + v * VW);
        }
    }
}
#endif
