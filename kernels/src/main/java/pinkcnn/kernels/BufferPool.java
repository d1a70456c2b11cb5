package pinkcnn.kernels;

import static org.jocl.CL.*;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import org.jocl.CLException;
import org.jocl.cl_context;
import org.jocl.cl_mem;

/**
 * Device buffers, reused: a released buffer goes to a free list keyed by its (rounded) byte size and is handed out
 * again for the next request of that size. A training loop allocates the same sizes every step, so after the first step
 * no new device memory is created. When the device runs out of memory the free lists are emptied and the request
 * retried once.
 */
final class BufferPool implements AutoCloseable {
    /** Buffers are whole multiples of this many bytes (one cache line, enough for any float16 access). */
    static final long ALIGN = 64;

    private final cl_context context;
    private final Map<Long, ArrayDeque<cl_mem>> free = new HashMap<>();
    /** Every live buffer, in use or free, so that {@link #close()} frees them all. */
    private final Map<cl_mem, Long> all = new IdentityHashMap<>();
    private boolean closed;
    private long heldBytes;
    private long freeBytes;
    private long created;

    BufferPool(cl_context context) {
        this.context = context;
    }

    static long roundedBytes(long floats) {
        long bytes = Math.max(floats, 1) * 4;
        return (bytes + ALIGN - 1) / ALIGN * ALIGN;
    }

    /** A buffer of exactly {@code bytes} (a multiple of {@link #ALIGN}); contents are undefined. */
    synchronized cl_mem acquire(long bytes) {
        if (closed) throw new IllegalStateException("the OpenCL backend is closed");
        ArrayDeque<cl_mem> q = free.get(bytes);
        if (q != null && !q.isEmpty()) {
            freeBytes -= bytes;
            return q.pop();
        }
        cl_mem m;
        try {
            m = clCreateBuffer(context, CL_MEM_READ_WRITE, bytes, null, null);
        } catch (CLException e) {
            if (e.getStatus() != CL_MEM_OBJECT_ALLOCATION_FAILURE && e.getStatus() != CL_OUT_OF_RESOURCES
                    && e.getStatus() != CL_OUT_OF_HOST_MEMORY) throw e;
            trim();
            m = clCreateBuffer(context, CL_MEM_READ_WRITE, bytes, null, null);
        }
        heldBytes += bytes;
        created++;
        all.put(m, bytes);
        return m;
    }

    synchronized void release(cl_mem m, long bytes) {
        if (closed) return; // freed with the pool
        free.computeIfAbsent(bytes, b -> new ArrayDeque<>()).push(m);
        freeBytes += bytes;
    }

    /** Frees every buffer that is not in use. */
    synchronized void trim() {
        for (ArrayDeque<cl_mem> q : free.values()) {
            for (cl_mem m : q) {
                clReleaseMemObject(m);
                all.remove(m);
            }
        }
        free.clear();
        heldBytes -= freeBytes;
        freeBytes = 0;
    }

    /** Device memory this pool holds: buffers in use plus free ones. */
    synchronized long heldBytes() {
        return heldBytes;
    }

    /** How many device buffers were ever created. */
    synchronized long created() {
        return created;
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        for (cl_mem m : all.keySet()) clReleaseMemObject(m);
        all.clear();
        free.clear();
        heldBytes = freeBytes = 0;
    }
}
