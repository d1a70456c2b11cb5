package pinkcnn.kernels;

import java.util.LinkedHashMap;
import java.util.Map;
import org.jocl.cl_mem;

/**
 * Packed copies of GEMM's B operand (v4's panels). Packing costs a kernel launch and a pass over B per call; for
 * weights that do not change between calls (inference, frozen layers) that is wasted work. So a B whose buffer nobody
 * touched since it was last packed in the same layout gets a packed copy of its own, which later calls use as it is;
 * when the buffer is written again (an optimizer step, an upload), the copy is refreshed on the next call. Operands
 * that change between calls (activations) are packed into the shared scratch buffer every time.
 * Whether a buffer changed comes from {@link ClContext#lastWrite}: every launch, copy and host write ticks the buffers
 * it is given.
 */
final class PackedOperands {
    /** At most this many operands are remembered (least recently used first out, with their kept copies). */
    private static final int MAX_ENTRIES = 512;

    /** What is packed: the source buffer and the layout of op(B) in it. */
    private record Key(cl_mem b, int offB, int rsB, int csB, int k, int n, int nr) {}

    private static final class Entry {
        long packedAt;
        cl_mem kept;
        long keptBytes;
    }

    /** Packs B (k × n, row stride rsB, column stride csB) into dst as panels nr wide. */
    interface Packer {
        void pack(cl_mem dst);
    }

    private final ClContext cl;
    private final Scratch scratch;
    private final Map<Key, Entry> entries = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, Entry> eldest) {
            if (size() <= MAX_ENTRIES) return false;
            Entry e = eldest.getValue();
            if (e.kept != null) cl.pool.release(e.kept, e.keptBytes);
            return true;
        }
    };
    private long hits;

    PackedOperands(ClContext cl) {
        this.cl = cl;
        this.scratch = new Scratch(cl.pool);
    }

    /** The packed form of B, {@code floats} long: a kept copy when B did not change since it was packed. */
    cl_mem get(cl_mem b, int offB, int rsB, int csB, int k, int n, int nr, long floats, Packer packer) {
        Key key = new Key(b, offB, rsB, csB, k, n, nr);
        Entry e = entries.get(key);
        boolean unchanged = e != null && e.packedAt == cl.lastWrite(b);
        if (unchanged && e.kept != null) {
            hits++;
            return e.kept;
        }
        if (e == null) {
            e = new Entry();
            entries.put(key, e);
        }
        cl_mem dst;
        if (e.kept != null) {
            dst = e.kept; // changed since: refresh the copy in place
        } else if (unchanged) {
            e.keptBytes = BufferPool.roundedBytes(floats); // seen twice unchanged: worth a copy of its own
            e.kept = dst = cl.pool.acquire(e.keptBytes);
        } else {
            dst = scratch.get(floats);
        }
        packer.pack(dst);
        e.packedAt = cl.lastWrite(b); // the packing launch itself touched b
        return dst;
    }

    /** Calls answered with a kept copy, without packing. */
    long hits() {
        return hits;
    }
}
