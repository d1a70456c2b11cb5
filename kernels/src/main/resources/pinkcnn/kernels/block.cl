/*
 * A whole inverted-residual block (1x1 expansion -> 3x3 depthwise -> 1x1 projection, + the input) in one launch, for
 * CPU devices. The layers one after the other (v1_layers, the backend's default path) write the expanded tensor, six
 * times the block's input, read it back for the depthwise convolution, write the depthwise output and read that back
 * for the projection: four trips through memory per block, and four launches. Here each work-item owns a range of
 * output rows of one image and computes them a strip at a time (as the Java backend's fused block does):
 *  1. the expanded input rows the strip's depthwise windows need, that its window does not hold yet, by a
 *     register-blocked product with the expansion's batch norm and ReLU6 in its stores. The window is a ring of rows
 *     (row ih in slot ih mod slots), so rows shared with the strip before stay where they are;
 *  2. the depthwise 3x3 convolution of those rows into the strip buffer, rows outside the image reading a zero row;
 *  3. the projection of the strip buffer into y's rows, the block's input added in the same stores.
 * Window and strip buffer (in block 1: 5 rows of 112x96 and 2 of 56x96 floats) stay in the core's L2 cache.
 *
 * The work-item is sequential code on float16 vectors; on a CPU device each work-group of one item runs on one
 * worker thread, which is what this layout wants. (On a GPU it would be a handful of threads: v1_layers stays there.)
 * Build options: VW (vector width; the expanded channels are whole vectors), NVE and MRE, NVP and MRP (vectors per
 * weight panel and rows per register tile of the expansion and of the projection), STRIDE (1 or 2), EXPAND (0: no
 * expansion, the depthwise convolution reads x).
 */
#include "vectors.h"
/*
 * The helpers are inlined into the kernel: left as calls, PoCL's compiler kept a product's tile of accumulators in
 * memory instead of registers, and block 1 took twice as long as its three parts timed alone (docs/kernels.md).
 */
#define INLINE static inline __attribute__((always_inline))

/* The two products: NVE, MRE for the expansion, NVP, MRP for the projection (block_product.h). */
#define PRODUCT product_expand
#define PNV NVE
#define PMR MRE
#include "block_product.h"
#undef PRODUCT
#undef PNV
#undef PMR
#define PRODUCT product_project
#define PNV NVP
#define PMR MRP
#include "block_product.h"
#undef PRODUCT
#undef PNV
#undef PMR

/*
 * One output row of the depthwise 3x3 convolution with its batch norm and ReLU: rows r0, r1, r2 are the input rows
 * oh*STRIDE - pt + 0, 1, 2 (a zero row where outside the image), e channels each (whole vectors), w columns. Channel
 * vector by channel vector, so its nine weights stay in registers over the row. Inside the row OWB outputs at a time
 * share their input vectors: (OWB-1)*STRIDE + 3 loads per input row instead of 3*OWB (at stride 1, 4.5 loads per
 * output instead of 9). The outputs whose taps overhang the row (the first and last) take the checked path.
 */
#define OWB (STRIDE == 1 ? 4 : 2)
#define SPAN ((OWB - 1) * STRIDE + 3)
INLINE void depthwise_row(const int w, const int ow_, const int e, const int pl, __global const float* r0,
                          __global const float* r1, __global const float* r2, __global const float* wd,
                          __global const float* scale, __global const float* shift, const float cap,
                          __global float* out) {
    for (int c0 = 0; c0 < e; c0 += VW) {
        VEC k[9];
        #pragma unroll
        for (int t = 0; t < 9; t++) k[t] = VLOAD(0, wd + t * e + c0);
        const VEC sc = VLOAD(0, scale + c0), sh = VLOAD(0, shift + c0);
        __global const float* rows[3] = {r0 + c0, r1 + c0, r2 + c0};
        for (int ow = 0; ow < ow_; ) {
            const int iw = ow * STRIDE - pl;
            if (iw >= 0 && ow + OWB <= ow_ && iw + SPAN <= w) {
                VEC acc[OWB];
                #pragma unroll
                for (int o = 0; o < OWB; o++) acc[o] = (VEC) 0.0f;
                #pragma unroll
                for (int i = 0; i < 3; i++) {
                    VEC in[SPAN];
                    #pragma unroll
                    for (int s = 0; s < SPAN; s++) in[s] = VLOAD(0, rows[i] + (iw + s) * e);
                    #pragma unroll
                    for (int o = 0; o < OWB; o++)
                        #pragma unroll
                        for (int j = 0; j < 3; j++) acc[o] = fma(in[o * STRIDE + j], k[i * 3 + j], acc[o]);
                }
                #pragma unroll
                for (int o = 0; o < OWB; o++) VSTORE(clamp(fma(acc[o], sc, sh), 0.0f, cap), 0, out + (ow + o) * e + c0);
                ow += OWB;
            } else {
                VEC acc = (VEC) 0.0f;
                #pragma unroll
                for (int i = 0; i < 3; i++)
                    #pragma unroll
                    for (int j = 0; j < 3; j++)
                        if (iw + j >= 0 && iw + j < w) acc = fma(VLOAD(0, rows[i] + (iw + j) * e), k[i * 3 + j], acc);
                VSTORE(clamp(fma(acc, sc, sh), 0.0f, cap), 0, out + ow * e + c0);
                ow++;
            }
        }
    }
}

/*
 * v2 fused. Work-item g of G takes items g, g + G, ... of n * perImage: image item / perImage, its output rows cut
 * into perImage ranges (more than one when there are fewer images than workers), each computing the expanded rows
 * above it again. Its scratch: the window (slots rows), a zero row, and the strip's depthwise output (strip rows).
 * we and wp are the expansion and projection kernels packed as B; x, y are n x h x w x cin and n x oh x ow x cout.
 */
__kernel void block_v2_fused(const int n, const int h, const int w, const int cin, const int e, const int oh_,
                             const int ow_, const int cout, const int pt, const int pl, const int perImage,
                             const int strip, const int slots, const float expandCap, const float depthwiseCap,
                             const int residual, __global const float* x, __global const float* we,
                             __global const float* es, __global const float* eh, __global const float* wd,
                             __global const float* ds, __global const float* dh, __global const float* wp,
                             __global const float* ps, __global const float* ph, __global float* y,
                             __global float* scratch) {
    const int g = get_global_id(0), groups = get_global_size(0), items = n * perImage;
    const int rowFloats = w * e;
    __global float* window = scratch + (size_t) g * ((slots + 1) * rowFloats + strip * ow_ * e);
    __global float* zero = window + slots * rowFloats;
    __global float* out = zero + rowFloats;
    for (int i = 0; i < rowFloats; i += VW) VSTORE((VEC) 0.0f, 0, zero + i);
    for (int item = g; item < items; item += groups) {
        const int img = item / perImage, part = item % perImage;
        const int oh0 = (int) ((long) oh_ * part / perImage), oh1 = (int) ((long) oh_ * (part + 1) / perImage);
        int done = 0; // expanded rows below this one are in the window
        for (int oh = oh0; oh < oh1; oh += strip) {
            const int r = min(strip, oh1 - oh);
#if EXPAND
            const int lo = max(0, oh * STRIDE - pt), hi = min(h, (oh + r - 1) * STRIDE - pt + 3);
            for (int ih = oh == oh0 ? lo : max(lo, done); ih < hi; ) {
                const int slot = ih % slots, run = min(hi - ih, slots - slot);
                product_expand(run * w, e, cin, x + (size_t) (img * h + ih) * w * cin, cin, we, es, eh, 0.0f, expandCap,
                        window + slot * rowFloats, e, 0);
                ih += run;
            }
            done = hi;
#endif
            for (int t = 0; t < r; t++) {
                __global const float* rows[3];
                #pragma unroll
                for (int i = 0; i < 3; i++) {
                    const int ih = (oh + t) * STRIDE - pt + i;
#if EXPAND
                    rows[i] = ih < 0 || ih >= h ? zero : window + ih % slots * rowFloats;
#else
                    rows[i] = ih < 0 || ih >= h ? zero : x + (size_t) (img * h + ih) * rowFloats;
#endif
                }
                depthwise_row(w, ow_, e, pl, rows[0], rows[1], rows[2], wd, ds, dh, depthwiseCap, out + t * ow_ * e);
            }
            const size_t at = (size_t) (img * oh_ + oh) * ow_ * cout;
            product_project(r * ow_, cout, e, out, e, wp, ps, ph, -INFINITY, INFINITY, y + at, cout,
                            residual ? x + at : 0);
        }
    }
}
