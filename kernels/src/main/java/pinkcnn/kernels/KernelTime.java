package pinkcnn.kernels;

/** The device time of one kernel execution, from its profiling event (end − start). */
public record KernelTime(String kernel, long nanos) {}
