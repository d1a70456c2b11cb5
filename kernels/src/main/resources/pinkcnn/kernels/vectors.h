/*
 * VEC, VLOAD and VSTORE for VW adjacent floats (VW = 1, 2, 4, 8 or 16, a build option; 1 for channel counts that no
 * wider vector divides). Included by the kernel files that handle channels in vectors; ProgramCache pastes it in.
 */
#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)
#if VW == 1
#define VEC float
#define VLOAD(o, p) ((p)[o])
#define VSTORE(v, o, p) ((p)[o] = (v))
#else
#define VEC CAT(float, VW)
#define VLOAD CAT(vload, VW)
#define VSTORE CAT(vstore, VW)
#endif
