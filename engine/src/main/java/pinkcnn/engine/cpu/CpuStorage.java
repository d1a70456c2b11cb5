package pinkcnn.engine.cpu;

import pinkcnn.engine.backend.Backend;
import pinkcnn.engine.backend.Storage;

/** A storage on the Java heap: one float array. */
final class CpuStorage implements Storage {
    final float[] data;
    private final CpuBackend backend;
    private boolean released;
    /**
     * How many times the array was handed out ({@link #checkLive}): whoever gets it may write to it, so what was
     * computed from the data at another count may be stale.
     */
    private volatile long generation;
    /** This storage as a packed 1×1 kernel ({@link CpuConvTiles.Operand#packed}), and the generation it was packed at. */
    private volatile CpuConvTiles.Operand packed;
    private volatile long packedAt;
    /** Whether {@link #packed} was packed with version 4's four-vector panel. */
    private volatile boolean packedWide;

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
        packed = null;
        backend.recycle(data);
    }

    float[] checkLive() {
        if (released) throw new IllegalStateException("use of a released storage");
        generation++;
        return data;
    }

    /** Counts the array's handouts ({@link #checkLive}): every read or write by a kernel or a copy changes it. */
    @Override
    public long generation() {
        return released ? -1 : generation;
    }

    /**
     * The data as a k × n kernel packed for the tiled products, packed on first use and kept until the array is handed
     * out ({@link #generation}); reading it this way does not count as a handout.
     */
    CpuConvTiles.Operand packed(int k, int n, boolean wide) {
        if (released) throw new IllegalStateException("use of a released storage");
        if ((long) k * n > data.length) throw new IllegalArgumentException(k + " × " + n + " kernel in " + data.length + " floats");
        CpuConvTiles.Operand p = packed;
        long now = generation;
        if (p == null || p.k() != k || p.n() != n || packedWide != wide || packedAt != now) {
            packed = p = CpuConvTiles.Operand.packed(data, k, n, wide);
            packedWide = wide;
            packedAt = now;
        }
        return p;
    }
}
