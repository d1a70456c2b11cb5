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

/* One work-item per output element. */
__kernel void max_pool(POOL_ARGS, __global const float* x, __global float* y) {
    const int idx = get_global_id(0);
    if (idx >= n * oh_ * ow_ * c) return;
    const int ch = idx % c, pix = idx / c, ow = pix % ow_, t = pix / ow_, oh = t % oh_, img = t / oh_;
    y[idx] = x[window_argmax(n, h, w, c, kh, kw, stride, pt, pl, oh_, ow_, x, img, oh, ow, ch)];
}

/*
 * dx += dy routed to each window's first maximum, written as a gather: the work-item of input element (ih, iw)
 * visits the windows that cover it and takes dy from those whose maximum it is. Overlapping windows need no atomics.
 */
__kernel void max_pool_grad(POOL_ARGS, __global const float* x, __global const float* dy, __global float* dx) {
    const int idx = get_global_id(0);
    if (idx >= n * h * w * c) return;
    const int ch = idx % c, pix = idx / c, iw = pix % w, t = pix / w, ih = t % h, img = t / h;
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

/* y[img, ch] = mean over hw of x[img, :, ch]; one work-item per (ch, img). */
__kernel void global_avg_pool(const int n, const int hw, const int c, __global const float* x, __global float* y) {
    const int ch = get_global_id(0), img = get_global_id(1);
    if (ch >= c || img >= n) return;
    float s = 0.0f;
    for (int p = 0; p < hw; p++) s += x[(img * hw + p) * c + ch];
    y[img * c + ch] = s / hw;
}

/* dx[img, p, ch] += dy[img, ch] / hw */
__kernel void global_avg_pool_grad(const int total, const int hw, const int c, __global const float* dy,
                                   __global float* dx) {
    const int i = get_global_id(0);
    if (i >= total) return;
    const int ch = i % c, img = i / (hw * c);
    dx[i] += dy[img * c + ch] / hw;
}
