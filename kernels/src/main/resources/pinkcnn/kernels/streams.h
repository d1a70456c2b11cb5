/*
 * Streaming over n floats, VW per work-item (a build option: 16 on CPUs, one AVX-512 register; 4 on GPUs). LD(p) and
 * ST(v, p) load and store the VW floats of p at i. EACH(n, vector statement, scalar statement) runs the vector form for
 * a full group of VW floats at i, else the scalar form for each remaining i. Pasted in by ProgramCache.
 */
#ifndef VW
#define VW 16
#endif
#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)
#define VEC CAT(float, VW)
#define LD(p) CAT(vload, VW)(0, (p) + i)
#define ST(v, p) CAT(vstore, VW)((v), 0, (p) + i)
#define EACH(n, VECTOR, SCALAR)                                    \
    const int i0 = get_global_id(0) * VW;                          \
    if (i0 + VW <= (n)) {                                          \
        const int i = i0;                                          \
        VECTOR;                                                    \
    } else {                                                       \
        for (int i = i0; i < (n); i++) { SCALAR; }                 \
    }
