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
