package pinkcnn.engine;

import java.util.Arrays;
import pinkcnn.engine.backend.Backend;
import pinkcnn.engine.backend.Storage;

/**
 * A float32 tensor: a shape over a storage that lives on one backend (images are NHWC). Tensors made by ops remember
 * how they were made ({@link Autograd}), so that {@link #backward()} can push gradients back to the tensors that
 * {@linkplain #requiresGrad() require} them. Gradients accumulate in a second storage of the same size.
 *
 * <p>Memory: a tensor created inside a {@link TensorScope} returns its storages to the backend's pool when the scope
 * closes, unless it is {@linkplain TensorScope#keep kept}; parameters live outside scopes.
 */
public final class Tensor {
    private final int[] shape;
    private final Storage storage;
    private final Backend backend;
    private boolean requiresGrad;
    private Storage grad;
    private Autograd.Node node;
    private boolean released;

    private Tensor(Backend backend, Storage storage, int[] shape) {
        this.backend = backend;
        this.storage = storage;
        this.shape = shape.clone();
        if (storage.size() != sizeOf(shape)) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " does not match storage of " + storage.size());
        }
    }

    // ---- creation ---------------------------------------------------------------------------------------------------

    /** A zero-filled tensor, owned by the current {@link TensorScope} if one is open. */
    public static Tensor zeros(Backend backend, int... shape) {
        return TensorScope.track(new Tensor(backend, backend.allocate(sizeOf(shape)), shape));
    }

    /**
     * A tensor whose contents are undefined until written: for op outputs that a forward kernel overwrites entirely
     * (saves the zero-filling pass over every activation). Owned by the current {@link TensorScope}.
     */
    public static Tensor empty(Backend backend, int... shape) {
        return TensorScope.track(new Tensor(backend, backend.allocateUninitialized(sizeOf(shape)), shape));
    }

    /** A tensor holding a copy of {@code data}. */
    public static Tensor of(Backend backend, float[] data, int... shape) {
        if (data.length != sizeOf(shape)) {
            throw new IllegalArgumentException(data.length + " values for shape " + Arrays.toString(shape));
        }
        Tensor t = empty(backend, shape);
        backend.write(t.storage, 0, data, 0, data.length);
        return t;
    }

    /** A scalar (shape []). */
    public static Tensor scalar(Backend backend, float value) {
        return of(backend, new float[] {value});
    }

    /** A tensor that outlives every scope (parameters, optimizer state); release it explicitly if at all. */
    public static Tensor persistent(Backend backend, float[] data, int... shape) {
        Tensor t = new Tensor(backend, backend.allocate(sizeOf(shape)), shape);
        backend.write(t.storage, 0, data, 0, data.length);
        return t;
    }

    public static long sizeOf(int... shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
            n *= d;
        }
        return n;
    }

    // ---- shape and data -----------------------------------------------------------------------------------------

    public int[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    public int dim(int axis) {
        return shape[axis < 0 ? shape.length + axis : axis];
    }

    public long size() {
        return storage.size();
    }

    public Backend backend() {
        return backend;
    }

    public Storage storage() {
        checkLive();
        return storage;
    }

    /** A copy of the values, row-major. */
    public float[] toArray() {
        checkLive();
        float[] out = new float[Math.toIntExact(size())];
        backend.read(storage, 0, out, 0, out.length);
        return out;
    }

    /** The single value of a one-element tensor. */
    public float item() {
        if (size() != 1) throw new IllegalStateException("item() of a tensor of shape " + Arrays.toString(shape));
        return toArray()[0];
    }

    /** The same values with another shape of equal size; gradients flow through. */
    public Tensor reshape(int... newShape) {
        int[] resolved = resolve(newShape);
        Tensor y = empty(backend, resolved);
        backend.copy(storage(), 0, y.storage, 0, size());
        Autograd.record(y, new Tensor[] {this}, () -> backend.axpy(size(), 1f, y.grad, gradStorage()));
        return y;
    }

    private int[] resolve(int[] newShape) {
        int[] s = newShape.clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < s.length; i++) {
            if (s[i] == -1) {
                if (infer >= 0) throw new IllegalArgumentException("more than one -1 in " + Arrays.toString(newShape));
                infer = i;
            } else known *= s[i];
        }
        if (infer >= 0) s[infer] = (int) (size() / Math.max(known, 1));
        if (sizeOf(s) != size()) {
            throw new IllegalArgumentException("cannot reshape " + Arrays.toString(shape) + " to " + Arrays.toString(newShape));
        }
        return s;
    }

    /** A copy on another backend (an explicit device move). */
    public Tensor to(Backend other) {
        if (other == backend) return this;
        return of(other, toArray(), shape);
    }

    // ---- autograd ---------------------------------------------------------------------------------------------------

    public boolean requiresGrad() {
        return requiresGrad;
    }

    /** Marks a leaf tensor as needing a gradient (or frozen when false). */
    public Tensor requiresGrad(boolean value) {
        if (node != null && !value) throw new IllegalStateException("cannot freeze a tensor computed by an op");
        this.requiresGrad = value;
        if (!value) dropGrad();
        return this;
    }

    /** The accumulated gradient, or null if none has been computed. */
    public float[] gradArray() {
        if (grad == null) return null;
        float[] out = new float[Math.toIntExact(size())];
        backend.read(grad, 0, out, 0, out.length);
        return out;
    }

    /** The gradient storage, allocated (zeroed) on first use: ops' backward functions add into it. */
    public Storage gradStorage() {
        if (grad == null) grad = backend.allocate(size());
        return grad;
    }

    /** The gradient storage if it exists, else null. */
    public Storage gradOrNull() {
        return grad;
    }

    public void zeroGrad() {
        if (grad != null) backend.fill(grad, 0f);
    }

    /** Frees the gradient storage (it is allocated again on the next backward pass). */
    public void dropGrad() {
        if (grad != null) {
            grad.release();
            grad = null;
        }
    }

    /** Back-propagates from this scalar (d this / d this = 1) to every tensor that requires a gradient. */
    public void backward() {
        if (size() != 1) throw new IllegalStateException("backward() needs a scalar, not " + Arrays.toString(shape));
        if (!requiresGrad) throw new IllegalStateException("backward() on a tensor that does not require a gradient");
        backend.fill(gradStorage(), 1f);
        Autograd.backward(this);
    }

    Autograd.Node node() {
        return node;
    }

    void setNode(Autograd.Node node) {
        this.node = node;
        this.requiresGrad = true;
    }

    void clearNode() {
        this.node = null;
    }

    /** Returns the storages to the backend's pool. */
    public void release() {
        if (released) return;
        released = true;
        node = null;
        storage.release();
        dropGrad();
    }

    private void checkLive() {
        if (released) throw new IllegalStateException("use of a released tensor " + Arrays.toString(shape));
    }

    @Override
    public String toString() {
        return "Tensor" + Arrays.toString(shape) + "@" + backend.name();
    }
}
