/*
 * A kernel's fused output stage (Epilogue.java): built with EPILOGUE=1, it takes EPILOGUE_ARGS after its own
 * arguments and stores clamp(acc * scale[c] + shift[c], lo, hi) per output channel c: a frozen batch norm and the
 * ReLU6 after it applied in registers, so the output is written once instead of written, read back and written again.
 */
#ifndef EPILOGUE
#define EPILOGUE 0
#endif
#if EPILOGUE
#define EPILOGUE_ARGS , __global const float* scale, __global const float* shift, const float lo, const float hi
#define EPILOGUE_PASS , scale, shift, lo, hi
#else
#define EPILOGUE_ARGS
#define EPILOGUE_PASS
#endif
