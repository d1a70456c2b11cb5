/* optimizer.cl: parameter updates, one work-item per parameter. */

/* Keras SGD: v = momentum * v - lr * g; p += v */
__kernel void sgd_momentum(const int n, const float lr, const float momentum, __global float* p,
                           __global const float* g, __global float* v) {
    const int i = get_global_id(0);
    if (i >= n) return;
    const float vi = momentum * v[i] - lr * g[i];
    v[i] = vi;
    p[i] += vi;
}

/*
 * Keras Adam: m = b1*m + (1-b1)*g; v = b2*v + (1-b2)*g^2; p -= lr_t * m / (sqrt(v) + eps), with the bias correction
 * lr_t = lr * sqrt(1 - b2^t) / (1 - b1^t) computed once on the host.
 */
__kernel void adam(const int n, const float lr_t, const float beta1, const float beta2, const float eps,
                   __global float* p, __global const float* g, __global float* m, __global float* v) {
    const int i = get_global_id(0);
    if (i >= n) return;
    const float gi = g[i];
    const float mi = beta1 * m[i] + (1.0f - beta1) * gi;
    const float vi = beta2 * v[i] + (1.0f - beta2) * gi * gi;
    m[i] = mi;
    v[i] = vi;
    p[i] -= lr_t * mi / (sqrt(vi) + eps);
}
