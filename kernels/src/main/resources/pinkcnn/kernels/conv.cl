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

/* col[r, (i*kw + j)*cin + ci] = x[img, oh*s + i - pt, ow*s + j - pl, ci] (0 outside), r = local image * oh*ow + oh*ow_ + ow.
   One work-item per element of col; neighbouring work-items copy neighbouring input channels. */
__kernel void im2col(CONV_ARGS, const int img0, const int count, __global const float* x, __global float* col) {
    const int kdim = kh * kw * cin;
    const int idx = get_global_id(0);
    if (idx >= count * oh_ * ow_ * kdim) return;
    const int kk = idx % kdim, r = idx / kdim;
    const int ci = kk % cin, tap = kk / cin, i = tap / kw, j = tap % kw;
    const int ow = r % ow_, t = r / ow_, oh = t % oh_, img = img0 + t / oh_;
    const int ih = oh * stride + i - pt, iw = ow * stride + j - pl;
    col[idx] = (ih >= 0 && ih < h && iw >= 0 && iw < w) ? x[((img * h + ih) * w + iw) * cin + ci] : 0.0f;
}

/* dx[img, ih, iw, ci] += sum of the col entries of the output pixels whose windows cover (ih, iw): a gather, so
   work-items own disjoint elements of dx and need no atomics. One work-item per element of dx in the image range. */
__kernel void col2im_add(CONV_ARGS, const int img0, const int count, __global const float* col, __global float* dx) {
    const int kdim = kh * kw * cin;
    const int idx = get_global_id(0);
    if (idx >= count * h * w * cin) return;
    const int ci = idx % cin, pix = idx / cin, iw = pix % w, t = pix / w, ih = t % h, li = t / h;
    float acc = 0.0f;
    for (int i = 0; i < kh; i++) {
        const int th = ih + pt - i;
        if (th < 0 || th % stride != 0 || th / stride >= oh_) continue;
        for (int j = 0; j < kw; j++) {
            const int tw = iw + pl - j;
            if (tw < 0 || tw % stride != 0 || tw / stride >= ow_) continue;
            acc += col[((li * oh_ + th / stride) * ow_ + tw / stride) * kdim + (i * kw + j) * cin + ci];
        }
    }
    dx[(img0 * h * w * cin) + idx] += acc;
}
