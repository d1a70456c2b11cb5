package pinkcnn.engine.cpu;

import pinkcnn.engine.backend.Backend;
import pinkcnn.engine.backend.Storage;

/** A storage on the Java heap: one float array. */
final class CpuStorage implements Storage {
    final float[] data;
    private final CpuBackend backend;
    private boolean released;

    CpuStorage(CpuBackend backend, float[] data) {
        this.backend = backend;
        this.data = data;
    }

    @Override
    public long size() {
        return data.length;
    }

    @Override
    public Backend backend() {
        return backend;
    }

    @Override
    public void release() {
        if (released) throw new IllegalStateException("storage released twice");
        released = true;
        backend.recycle(data);
    }

    float[] checkLive() {
        if (released) throw new IllegalStateException("use of a released storage");
        return data;
    }
}
