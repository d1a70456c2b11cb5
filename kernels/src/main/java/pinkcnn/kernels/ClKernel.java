package pinkcnn.kernels;

import org.jocl.cl_kernel;

/** A built kernel and its name (for profiling output and error messages). */
record ClKernel(String name, cl_kernel handle) {}
