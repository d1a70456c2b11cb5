/*
 * depthwise.cl: depthwise convolution (one kh x kw filter per channel, multiplier 1) over NHWC; weights kh x kw x c.
 * Geometry arguments: n, h, w, c, kh, kw, stride, pt, pl (top/left padding), oh_, ow_ (output size).
 * Two forward versions side by side; both are memory-bound (9 multiply-adds per output element), so what counts is
 * how many bytes move per useful flop.
 */

#define DW_ARGS const int n, const int h, const int w, const int c, const int kh, const int kw, \
                const int stride, const int pt, const int pl, const int oh_, const int ow_

/*
 * v1 direct: one work-item per output element (grid: channel, output column, image * oh_ + output row), looping over
 * the kh x kw taps. Simple and correct for any channel count; neighbouring work-items read neighbouring channels, so
 * loads are contiguous across them. Each work-item re-reads its taps' weights and nothing is kept between neighbouring
 * output pixels; how the runtime vectorises it across work-items is up to the compiler.
 */
__kernel void depthwise_v1_direct(DW_ARGS, __global const float* x, __global const float* wt, __global float* y) {
    const int ch = get_global_id(0), ow = get_global_id(1), row = get_global_id(2);
    if (ch >= c || ow >= ow_ || row >= n * oh_) return;
    const int img = row / oh_, oh = row % oh_;
    float acc = 0.0f;
    for (int i = 0; i < kh; i++) {
        const int ih = oh * stride + i - pt;
        if (ih < 0 || ih >= h) continue;
        for (int j = 0; j < kw; j++) {
            const int iw = ow * stride + j - pl;
            if (iw < 0 || iw >= w) continue;
            acc = fma(x[((img * h + ih) * w + iw) * c + ch], wt[(i * kw + j) * c + ch], acc);
        }
    }
    y[(row * ow_ + ow) * c + ch] = acc;
}

/*
 * v2 channel-vectorised: a work-item owns VW adjacent channels (one floatVW: a SIMD register on a CPU) of OWB
 * consecutive output pixels in one row. It loads the KH*KW weight vectors once into registers and reuses them for all
 * OWB pixels, and every input load is one VW-wide vector. KH, KW, VW and OWB are build options; VW divides c (the
 * host picks the widest of 16, 8, 4, 2, 1 that does).
 */
#ifndef VW
#define VW 16
#endif
#ifndef KH
#define KH 3
#endif
#ifndef KW
#define KW 3
#endif
#ifndef OWB
#define OWB 8
#endif
#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)
#if VW == 1 /* odd channel counts: plain floats */
#define VEC float
#define VLOAD(o, p) ((p)[o])
#define VSTORE(v, o, p) ((p)[o] = (v))
#else
#define VEC CAT(float, VW)
#define VLOAD CAT(vload, VW)
#define VSTORE CAT(vstore, VW)
#endif

__kernel void depthwise_v2_vec(DW_ARGS, __global const float* x, __global const float* wt, __global float* y) {
    const int cv = get_global_id(0), ob = get_global_id(1), row = get_global_id(2);
    if (cv * VW >= c || ob * OWB >= ow_ || row >= n * oh_) return;
    const int img = row / oh_, oh = row % oh_, c0 = cv * VW;
    VEC wr[KH * KW];
    #pragma unroll
    for (int t = 0; t < KH * KW; t++) wr[t] = VLOAD(0, wt + t * c + c0);
    for (int o = 0; o < OWB; o++) {
        const int ow = ob * OWB + o;
        if (ow >= ow_) break;
        VEC acc = (VEC) 0.0f;
        #pragma unroll
        for (int i = 0; i < KH; i++) {
            const int ih = oh * stride + i - pt;
            if (ih < 0 || ih >= h) continue;
            __global const float* xrow = x + (img * h + ih) * w * c + c0;
            #pragma unroll
            for (int j = 0; j < KW; j++) {
                const int iw = ow * stride + j - pl;
                if (iw >= 0 && iw < w) acc = fma(VLOAD(0, xrow + iw * c), wr[i * KW + j], acc);
            }
        }
        VSTORE(acc, 0, y + (row * ow_ + ow) * c + c0);
    }
}

/*
 * v3 sliding window: v2 loads KW input vectors per output pixel and row, although neighbouring outputs share most of
 * them (with stride 1, output o and o+1 overlap in KW-1 columns). Here a work-item walks the input row once: each of
 * the STRIDE*(OWB-1)+KW input vectors it needs is loaded once and multiplied into every one of its OWB accumulators
 * whose window contains it. With STRIDE and KW known at compile time the (column, tap) pairing unrolls into straight
 * FMAs: 10 loads instead of 24 per row for 8 outputs of a 3x3 stride-1 kernel. Borders load zeros.
 */
#ifndef STRIDE
#define STRIDE 1
#endif
#define SPAN (STRIDE * (OWB - 1) + KW)

__kernel void depthwise_v3_window(DW_ARGS, __global const float* x, __global const float* wt, __global float* y) {
    const int cv = get_global_id(0), ob = get_global_id(1), row = get_global_id(2);
    if (cv * VW >= c || ob * OWB >= ow_ || row >= n * oh_) return;
    const int img = row / oh_, oh = row % oh_, c0 = cv * VW, ow0 = ob * OWB;
    const int col0 = ow0 * STRIDE - pl;
    VEC acc[OWB];
    #pragma unroll
    for (int o = 0; o < OWB; o++) acc[o] = (VEC) 0.0f;
    #pragma unroll
    for (int i = 0; i < KH; i++) {
        const int ih = oh * STRIDE + i - pt;
        if (ih < 0 || ih >= h) continue;
        __global const float* xrow = x + (img * h + ih) * w * c + c0;
        VEC wr[KW];
        #pragma unroll
        for (int j = 0; j < KW; j++) wr[j] = VLOAD(0, wt + (i * KW + j) * c + c0);
        #pragma unroll
        for (int t = 0; t < SPAN; t++) {
            const int iw = col0 + t;
            const VEC xv = (iw >= 0 && iw < w) ? VLOAD(0, xrow + iw * c) : (VEC) 0.0f;
            #pragma unroll
            for (int j = 0; j < KW; j++) {
                // input column t feeds output o through tap j when t = o*STRIDE + j
                if ((t - j) % STRIDE == 0 && t - j >= 0 && (t - j) / STRIDE < OWB) {
                    acc[(t - j) / STRIDE] = fma(xv, wr[j], acc[(t - j) / STRIDE]);
                }
            }
        }
    }
    #pragma unroll
    for (int o = 0; o < OWB; o++)
        if (ow0 + o < ow_) VSTORE(acc[o], 0, y + (row * ow_ + ow0 + o) * c + c0);
}

/* dx[img,ih,iw,ch] += sum over the taps whose output pixel exists of dy[img,oh,ow,ch] * w[i,j,ch] (a gather);
   grid (channel, input column, image * h + input row). */
__kernel void depthwise_input_grad(DW_ARGS, __global const float* dy, __global const float* wt, __global float* dx) {
    const int ch = get_global_id(0), iw = get_global_id(1), row = get_global_id(2);
    if (ch >= c || iw >= w || row >= n * h) return;
    const int img = row / h, ih = row % h;
    float acc = 0.0f;
    for (int i = 0; i < kh; i++) {
        const int th = ih + pt - i;
        if (th < 0 || th % stride != 0 || th / stride >= oh_) continue;
        for (int j = 0; j < kw; j++) {
            const int tw = iw + pl - j;
            if (tw < 0 || tw % stride != 0 || tw / stride >= ow_) continue;
            acc = fma(dy[((img * oh_ + th / stride) * ow_ + tw / stride) * c + ch], wt[(i * kw + j) * c + ch], acc);
        }
    }
    dx[(row * w + iw) * c + ch] += acc;
}

/*
 * dw[i,j,ch] = sum over output pixels of x[img, oh*s+i-pt, ow*s+j-pl, ch] * dy[img, oh, ow, ch], in two steps:
 * work-item (ch, tap, q) sums output rows [q*chunk, (q+1)*chunk) (rows = img*oh_ + oh) into partial; then
 * depthwise_weight_grad_finish adds the chunks into dw.
 */
__kernel void depthwise_weight_partials(DW_ARGS, const int chunk, __global const float* x, __global const float* dy,
                                        __global float* partial) {
    const int ch = get_global_id(0), tap = get_global_id(1), q = get_global_id(2);
    if (ch >= c || tap >= kh * kw) return;
    const int i = tap / kw, j = tap % kw;
    const int r0 = q * chunk, r1 = min(n * oh_, r0 + chunk);
    float acc = 0.0f;
    for (int r = r0; r < r1; r++) {
        const int img = r / oh_, oh = r % oh_;
        const int ih = oh * stride + i - pt;
        if (ih < 0 || ih >= h) continue;
        for (int ow = 0; ow < ow_; ow++) {
            const int iw = ow * stride + j - pl;
            if (iw < 0 || iw >= w) continue;
            acc = fma(x[((img * h + ih) * w + iw) * c + ch], dy[(r * ow_ + ow) * c + ch], acc);
        }
    }
    partial[(q * kh * kw + tap) * c + ch] = acc;
}

__kernel void depthwise_weight_grad_finish(const int taps_c, const int chunks, __global const float* partial,
                                           __global float* dw) {
    const int i = get_global_id(0);
    if (i >= taps_c) return;
    float s = 0.0f;
    for (int q = 0; q < chunks; q++) s += partial[q * taps_c + i];
    dw[i] += s;
}
