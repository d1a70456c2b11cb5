package pinkcnn.kernels;

import org.jocl.cl_mem;

/**
 * A device workspace that one kernel family reuses from call to call (packed GEMM panels, im2col columns, partial
 * sums). It grows to the largest size asked for and stays there, so steady-state training allocates nothing. The
 * in-order queue serialises its users.
 */
final class Scratch {
    private final BufferPool pool;
    private cl_mem mem;
    private long bytes;

    Scratch(BufferPool pool) {
        this.pool = pool;
    }

    /** A buffer of at least {@code floats} floats; its contents are whatever the last user left. */
    cl_mem get(long floats) {
        long need = BufferPool.roundedBytes(floats);
        if (need > bytes) {
            if (mem != null) pool.release(mem, bytes);
            mem = pool.acquire(need);
            bytes = need;
        }
        return mem;
    }
}
