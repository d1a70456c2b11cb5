/*
 * depthwise.cl: depthwise convolution (one kh x kw filter per channel, multiplier 1) over NHWC; weights kh x kw x c.
 * Geometry arguments: n, h, w, c, kh, kw, stride, pt, pl (top/left padding), oh_, ow_ (output size).
 * Four forward versions side by side. Depthwise convolution does only 9 multiply-adds per output element (3x3), so
 * on a CPU its arithmetic costs about as much as copying its tensor: each step is about moving fewer bytes, and
 * issuing fewer instructions, per useful multiply-add:
 *   v1 direct       one output element per work-item, scalar
 *   v2 vec          VW channels per work-item as one vector, the kernel's weights held in registers
 *   v3 window       v2, plus a sliding window along the row so each input vector is loaded once, not KW times
 *   v4 rows         v3 with cheaper border blocks, and work-items that share input rows back to back (in cache)
 * The gradients (input: a gather; weights: partial sums and a finish kernel) come last.
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
#include "vectors.h"

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

/* One input row's contribution: input column t feeds output o through tap j when t = o*STRIDE + j. */
#define ACCUMULATE_ROW(LOAD)                                                                   \
    _Pragma("unroll") for (int t = 0; t < SPAN; t++) {                                         \
        const VEC xv = LOAD(t);                                                                \
        _Pragma("unroll") for (int j = 0; j < KW; j++) {                                       \
            if ((t - j) % STRIDE == 0 && t - j >= 0 && (t - j) / STRIDE < OWB)                 \
                acc[(t - j) / STRIDE] = fma(xv, wr[j], acc[(t - j) / STRIDE]);                 \
        }                                                                                      \
    }
#define LOAD_INSIDE(t) VLOAD(0, xrow + (t) * c)
#define LOAD_CHECKED(t) (col0 + (t) >= 0 && col0 + (t) < w ? LOAD_INSIDE(t) : (VEC) 0.0f)

/*
 * v4's border path. With the outputs spread evenly over the row, a block hangs over the row by at most its first and
 * its last column (every block of MobileNetV2's layers does). Those two load from a column inside the row and are
 * zeroed by a select, the others load unchecked: no branch per column, as in LOAD_CHECKED.
 */
#define ZERO_UNLESS(ok, v) ((ok) ? (v) : (VEC) 0.0f)
#define LOAD_EDGES(t)                                                                          \
    ((t) == 0          ? ZERO_UNLESS(left_in, VLOAD(0, xrow + (left_in ? 0 : 1) * c))          \
     : (t) == SPAN - 1 ? ZERO_UNLESS(right_in, VLOAD(0, xrow + (SPAN - (right_in ? 1 : 2)) * c)) \
                       : LOAD_INSIDE(t))

#define DW_PASS n, h, w, c, kh, kw, stride, pt, pl, oh_, ow_

/* v3 and v4 can apply the output stage (EPILOGUE=1) in registers. */
#include "epilogue.h"

/* One work-item of v3 or v4: OWB outputs of one row for VW channels; edges selects v4's border path. */
__attribute__((always_inline)) inline void window_block(DW_ARGS, __global const float* x, __global const float* wt,
                                                        __global float* y, const int cv, const int ob, const int row,
                                                        const bool edges EPILOGUE_ARGS) {
    if (cv * VW >= c || ob * OWB >= ow_ || row >= n * oh_) return;
    const int img = row / oh_, oh = row % oh_, c0 = cv * VW, ow0 = ob * OWB;
    const int col0 = ow0 * STRIDE - pl;
    const bool left_in = col0 >= 0, right_in = col0 + SPAN <= w;
    // most work-items load without bounds checks: v3's that lie inside the row, v4's that overhang it by one column
    const bool unchecked = edges ? SPAN > 1 && col0 >= -1 && col0 + SPAN <= w + 1 : left_in && right_in;
    VEC acc[OWB];
    #pragma unroll
    for (int o = 0; o < OWB; o++) acc[o] = (VEC) 0.0f;
    for (int i = 0; i < KH; i++) {
        const int ih = oh * STRIDE + i - pt;
        if (ih < 0 || ih >= h) continue;
        __global const float* xrow = x + ((img * h + ih) * w + col0) * c + c0;
        VEC wr[KW];
        #pragma unroll
        for (int j = 0; j < KW; j++) wr[j] = VLOAD(0, wt + (i * KW + j) * c + c0);
        if (unchecked && edges) {
            ACCUMULATE_ROW(LOAD_EDGES)
        } else if (unchecked) {
            ACCUMULATE_ROW(LOAD_INSIDE)
        } else {
            ACCUMULATE_ROW(LOAD_CHECKED)
        }
    }
#if EPILOGUE
    const VEC sc = VLOAD(0, scale + c0), sh = VLOAD(0, shift + c0);
    #pragma unroll
    for (int o = 0; o < OWB; o++) acc[o] = clamp(fma(acc[o], sc, sh), lo, hi);
#endif
    #pragma unroll
    for (int o = 0; o < OWB; o++)
        if (ow0 + o < ow_) VSTORE(acc[o], 0, y + (row * ow_ + ow0 + o) * c + c0);
}

/* v3: grid (channel vector, column block, image * oh_ + output row); borders check every column. */
__kernel void depthwise_v3_window(DW_ARGS, __global const float* x, __global const float* wt,
                                  __global float* y EPILOGUE_ARGS) {
    window_block(DW_PASS, x, wt, y, get_global_id(0), get_global_id(1), get_global_id(2), false EPILOGUE_PASS);
}

/*
 * v4 rows: v3's work-item with the cheaper border path, and, for an input that stays in cache (ROWS_FIRST=1), the grid
 * turned around to (image * oh_ + output row, column block, channel vector). A CPU runtime runs a work-group's items
 * with dimension 0 innermost, so the work-item after this one is then the output row below: it reuses two of the
 * three input rows while they are still in L1, where in v3's order 36 other work-items (110 KB of input for
 * 56x56x144) came in between and the rows came back from L2. An input that streams from memory is better read in v3's
 * order, group after group over whole stretches of rows, so the host picks the order by the input's size. (On a GPU,
 * dimension 0 should walk the channels anyway, so that neighbouring work-items read neighbouring addresses.)
 */
#ifndef ROWS_FIRST
#define ROWS_FIRST 0
#endif
__kernel void depthwise_v4_rows(DW_ARGS, __global const float* x, __global const float* wt,
                                __global float* y EPILOGUE_ARGS) {
#if ROWS_FIRST
    window_block(DW_PASS, x, wt, y, get_global_id(2), get_global_id(1), get_global_id(0), true EPILOGUE_PASS);
#else
    window_block(DW_PASS, x, wt, y, get_global_id(0), get_global_id(1), get_global_id(2), true EPILOGUE_PASS);
#endif
}

/*
 * The gradients use the same build options as the forward versions (KH, KW, STRIDE, VW) and work on VW adjacent
 * channels at a time.
 *
 * dx[img,ih,iw,:] += sum over the taps (i,j) whose output pixel exists of dy[img,oh,ow,:] * w[i,j,:], a gather (no
 * atomics). Grid (channel vector, input column, image * h + input row); the KH*KW weight vectors stay in registers.
 */
__kernel void depthwise_input_grad(DW_ARGS, __global const float* dy, __global const float* wt, __global float* dx) {
    const int cv = get_global_id(0), iw = get_global_id(1), row = get_global_id(2);
    if (cv * VW >= c || iw >= w || row >= n * h) return;
    const int img = row / h, ih = row % h, c0 = cv * VW;
    VEC acc = (VEC) 0.0f;
    #pragma unroll
    for (int i = 0; i < KH; i++) {
        const int th = ih + pt - i;
        if (th < 0 || th % STRIDE != 0 || th / STRIDE >= oh_) continue;
        #pragma unroll
        for (int j = 0; j < KW; j++) {
            const int tw = iw + pl - j;
            if (tw < 0 || tw % STRIDE != 0 || tw / STRIDE >= ow_) continue;
            acc = fma(VLOAD(0, dy + ((img * oh_ + th / STRIDE) * ow_ + tw / STRIDE) * c + c0),
                      VLOAD(0, wt + (i * KW + j) * c + c0), acc);
        }
    }
    __global float* d = dx + (row * w + iw) * c + c0;
    VSTORE(VLOAD(0, d) + acc, 0, d);
}

/*
 * dw[i,j,:] = sum over output pixels of x[img, oh*s+i-pt, ow*s+j-pl, :] * dy[img, oh, ow, :], in two steps:
 * work-item (channel vector, tap, q) sums output rows [q*chunk, (q+1)*chunk) (rows = img*oh_ + oh) into partial; then
 * depthwise_weight_grad_finish adds the chunks into dw.
 */
__kernel void depthwise_weight_partials(DW_ARGS, const int chunk, __global const float* x, __global const float* dy,
                                        __global float* partial) {
    const int cv = get_global_id(0), tap = get_global_id(1), q = get_global_id(2);
    const int r0 = q * chunk, r1 = min(n * oh_, r0 + chunk);
    if (cv * VW >= c || tap >= KH * KW || r0 >= r1) return;
    const int i = tap / KW, j = tap % KW, c0 = cv * VW;
    VEC acc = (VEC) 0.0f;
    for (int r = r0; r < r1; r++) {
        const int img = r / oh_, oh = r % oh_;
        const int ih = oh * STRIDE + i - pt;
        if (ih < 0 || ih >= h) continue;
        __global const float* xrow = x + (img * h + ih) * w * c + c0;
        __global const float* dyrow = dy + r * ow_ * c + c0;
        // the output columns whose input column ow*STRIDE + j - pl lies inside the row
        const int last = w - 1 + pl - j; // ow*STRIDE <= last
        const int ow_lo = max(0, (pl - j + STRIDE - 1) / STRIDE), ow_hi = last < 0 ? 0 : min(ow_, last / STRIDE + 1);
        for (int ow = ow_lo; ow < ow_hi; ow++)
            acc = fma(VLOAD(0, xrow + (ow * STRIDE + j - pl) * c), VLOAD(0, dyrow + ow * c), acc);
    }
    VSTORE(acc, 0, partial + (q * KH * KW + tap) * c + c0);
}

__kernel void depthwise_weight_grad_finish(const int taps_c, const int chunks, __global const float* partial,
                                           __global float* dw) {
    const int i = get_global_id(0);
    if (i >= taps_c) return;
    float s = 0.0f;
    for (int q = 0; q < chunks; q++) s += partial[q * taps_c + i];
    dw[i] += s;
}
