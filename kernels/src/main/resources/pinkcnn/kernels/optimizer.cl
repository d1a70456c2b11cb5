/*
 * optimizer.cl: parameter updates, VW parameters per work-item as in elementwise.cl: the vector form for a full group
 * of VW, the same arithmetic one float at a time for the tail.
 */
#include "streams.h"

/* Keras SGD: v = momentum * v - lr * g; p += v */
__kernel void sgd_momentum(const int n, const float lr, const float momentum, __global float* p,
                           __global const float* g, __global float* v) {
    const int i = get_global_id(0) * VW;
    if (i + VW <= n) {
        const VEC vi = momentum * LD(v) - lr * LD(g);
        ST(vi, v);
        ST(LD(p) + vi, p);
    } else {
        for (int j = i; j < n; j++) {
            const float vj = momentum * v[j] - lr * g[j];
            v[j] = vj;
            p[j] += vj;
        }
    }
}

/*
 * Keras Adam: m = b1*m + (1-b1)*g; v = b2*v + (1-b2)*g^2; p -= lr_t * m / (sqrt(v) + eps), with the bias correction
 * lr_t = lr * sqrt(1 - b2^t) / (1 - b1^t) computed once on the host.
 */
__kernel void adam(const int n, const float lr_t, const float beta1, const float beta2, const float eps,
                   __global float* p, __global const float* g, __global float* m, __global float* v) {
    const int i = get_global_id(0) * VW;
    if (i + VW <= n) {
        const VEC gi = LD(g);
        const VEC mi = beta1 * LD(m) + (1.0f - beta1) * gi;
        const VEC vi = beta2 * LD(v) + (1.0f - beta2) * gi * gi;
        ST(mi, m);
        ST(vi, v);
        ST(LD(p) - lr_t * mi / (sqrt(vi) + eps), p);
    } else {
        for (int j = i; j < n; j++) {
            const float gj = g[j];
            const float mj = beta1 * m[j] + (1.0f - beta1) * gj;
            const float vj = beta2 * v[j] + (1.0f - beta2) * gj * gj;
            m[j] = mj;
            v[j] = vj;
            p[j] -= lr_t * mj / (sqrt(vj) + eps);
        }
    }
}
