/*
 * reduce.cl: sums to one value, and softmax / cross-entropy per row.
 *
 * sum_partials: each work-group sums a grid-strided share of x (or of x^2) in its work-items, then halves the
 * work-items in local memory (a tree: log2(group size) steps with a barrier each) and writes one partial per group.
 * The host runs it a second time over the partials with one group, and reads back one float. The group size is a
 * power of two passed as LS.
 */
#ifndef LS
#define LS 256
#endif

__kernel __attribute__((reqd_work_group_size(LS, 1, 1)))
void sum_partials(const int n, const int squares, __global const float* x, __global float* partial) {
    __local float s[LS];
    const int lid = get_local_id(0);
    float acc = 0.0f;
    for (int i = get_global_id(0); i < n; i += get_global_size(0)) {
        const float v = x[i];
        acc += squares ? v * v : v;
    }
    s[lid] = acc;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int width = LS / 2; width > 0; width >>= 1) {
        if (lid < width) s[lid] += s[lid + width];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (lid == 0) partial[get_group_id(0)] = s[0];
}

/*
 * Softmax of one row per work-item (classes is small: the classifier's outputs). The maximum is subtracted before
 * exp for stability. With targets, loss[row] = sum_c t * (logSumExp - z) (summed afterwards by sum_partials).
 */
__kernel void softmax_rows(const int rows, const int classes, const int with_loss, __global const float* z,
                           __global const float* targets, __global float* probs, __global float* loss) {
    const int r = get_global_id(0);
    if (r >= rows) return;
    __global const float* zr = z + r * classes;
    float mx = -INFINITY;
    for (int j = 0; j < classes; j++) mx = fmax(mx, zr[j]);
    float sum = 0.0f;
    for (int j = 0; j < classes; j++) sum += exp(zr[j] - mx);
    for (int j = 0; j < classes; j++) probs[r * classes + j] = exp(zr[j] - mx) / sum;
    if (with_loss) {
        const float lse = mx + log(sum);
        float l = 0.0f;
        for (int j = 0; j < classes; j++) {
            const float t = targets[r * classes + j];
            if (t != 0.0f) l += t * (lse - zr[j]);
        }
        loss[r] = l;
    }
}

/* dLogits += scale * (probs - targets) */
__kernel void softmax_xent_grad(const int n, const float scale, __global const float* probs,
                                __global const float* targets, __global float* dlogits) {
    const int i = get_global_id(0);
    if (i < n) dlogits[i] += scale * (probs[i] - targets[i]);
}
