package pinkcnn.kernels;

import pinkcnn.engine.backend.ConvGeometry;

/** Max pooling and global average pooling (pool.cl). */
final class ClPool {
    private static final String FILE = "pool.cl";
    private final ClContext cl;

    ClPool(ClContext cl) {
        this.cl = cl;
    }

    private Object[] geometry(ConvGeometry g, Object... buffers) {
        Object[] head = {g.n(), g.h(), g.w(), g.cin(), g.kh(), g.kw(), g.stride(), g.padTop(), g.padLeft(), g.outH(), g.outW()};
        Object[] all = new Object[head.length + buffers.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(buffers, 0, all, head.length, buffers.length);
        return all;
    }

    void maxPool(ConvGeometry g, ClStorage x, ClStorage y) {
        ClElementwise.count(g.outputSize());
        int vw = cl.vectorWidth(g.cin());
        cl.launchGrid(cl.kernel(FILE, "max_pool", "-DVW=" + vw), g.cin() / vw, g.outW(), (long) g.n() * g.outH(),
                geometry(g, x, y));
    }

    void maxPoolGrad(ConvGeometry g, ClStorage x, ClStorage dy, ClStorage dx) {
        ClElementwise.count(g.inputSize());
        cl.launchGrid(cl.kernel(FILE, "max_pool_grad", ""), g.cin(), g.w(), (long) g.n() * g.h(), geometry(g, x, dy, dx));
    }

    void globalAveragePool(int n, int hw, int c, ClStorage x, ClStorage y) {
        int vw = cl.vectorWidth(c);
        cl.launchGrid(cl.kernel(FILE, "global_average_pool", "-DVW=" + vw), c / vw, n, 1, n, hw, c, x, y);
    }

    void globalAveragePoolGrad(int n, int hw, int c, ClStorage dy, ClStorage dx) {
        ClElementwise.count((long) n * hw * c);
        cl.launchGrid(cl.kernel(FILE, "global_average_pool_grad", ""), c, hw, n, n, hw, c, dy, dx);
    }
}
