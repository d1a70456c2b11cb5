package pinkcnn.engine.backend;

/**
 * A flat float32 buffer that lives on one backend's device. Tensors view storages; kernels read and write them.
 * A storage knows its backend so that mixing devices is caught at the first kernel call, not as garbage results.
 */
public interface Storage {
    /** Number of float elements. */
    long size();

    /** The backend that owns this storage. */
    Backend backend();

    /** Returns the storage to its backend's pool; using it afterwards is an error. */
    void release();

    /**
     * A number that changes whenever the contents may have changed, for caches of what is computed from them (a
     * batch norm's folded scale and shift): equal numbers mean equal contents. -1 when the backend cannot tell, which
     * no cache may trust; the default.
     */
    default long generation() {
        return -1;
    }
}
