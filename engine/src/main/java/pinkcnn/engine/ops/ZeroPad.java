package pinkcnn.engine.ops;

import pinkcnn.engine.Autograd;
import pinkcnn.engine.Tensor;
import pinkcnn.engine.backend.Backend;

/** Zero padding of an NHWC tensor, possibly asymmetric (Keras pads (0,1),(0,1) before stride-2 convolutions). */
public final class ZeroPad {
    private ZeroPad() {}

    public static Tensor apply(Tensor x, int top, int bottom, int left, int right) {
        Shapes.requireRank(x, 4, "zero padding input");
        int n = x.dim(0), h = x.dim(1), w = x.dim(2), c = x.dim(3);
        Backend b = x.backend();
        Tensor y = Tensor.empty(b, n, h + top + bottom, w + left + right, c);
        b.pad(n, h, w, c, top, bottom, left, right, x.storage(), y.storage());
        Autograd.record(y, new Tensor[] {x},
                () -> b.padGrad(n, h, w, c, top, bottom, left, right, y.gradStorage(), x.gradStorage()));
        return y;
    }
}
