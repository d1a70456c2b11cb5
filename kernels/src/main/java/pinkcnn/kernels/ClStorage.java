package pinkcnn.kernels;

import java.lang.ref.Cleaner;
import org.jocl.cl_mem;
import pinkcnn.engine.backend.Backend;
import pinkcnn.engine.backend.Storage;

/**
 * A storage in device memory: one pooled {@code cl_mem}. {@link #release()} returns the buffer to the pool; a storage
 * that is dropped without release is returned when it is garbage collected. The in-order queue makes either safe even
 * while kernels that use the buffer are still queued: later users of the same buffer run after them.
 */
final class ClStorage implements Storage {
    private static final Cleaner CLEANER = Cleaner.create();

    private final OpenClBackend backend;
    private final cl_mem mem;
    private final long size;
    private final Cleaner.Cleanable cleanable;
    private volatile boolean released;

    ClStorage(OpenClBackend backend, BufferPool pool, cl_mem mem, long size, long bytes) {
        this.backend = backend;
        this.mem = mem;
        this.size = size;
        this.cleanable = CLEANER.register(this, () -> pool.release(mem, bytes));
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public Backend backend() {
        return backend;
    }

    @Override
    public void release() {
        if (released) throw new IllegalStateException("storage released twice");
        released = true;
        cleanable.clean();
    }

    /**
     * The tick of the last launch, copy or upload that was given this buffer ({@link ClContext#lastWrite}): every
     * kernel that may have written it changes the number, so caches of what is computed from it (a batch norm's
     * folded scale and shift) stay valid while it does not change.
     */
    @Override
    public long generation() {
        return released ? -1 : backend.context().lastWrite(mem);
    }

    cl_mem mem() {
        if (released) throw new IllegalStateException("use of a released storage");
        return mem;
    }
}
