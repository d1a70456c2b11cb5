package pinkcnn.kernels;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import pinkcnn.engine.backend.Backend;
import pinkcnn.engine.backend.ConvGeometry;
import pinkcnn.engine.backend.InvertedResidual;
import pinkcnn.engine.backend.KernelLab;
import pinkcnn.engine.backend.Storage;

/**
 * The backend contract on an OpenCL device (JOCL). Each kernel family lives in its own class and {@code .cl} file:
 * {@link ClGemm} (gemm.cl), {@link ClConv} (conv.cl), {@link ClDepthwise} (depthwise.cl), {@link ClPool} (pool.cl),
 * {@link ClChannelOps} (channel_ops.cl), {@link ClElementwise} (elementwise.cl, optimizer.cl), {@link ClReduce}
 * (reduce.cl). Programs are built once per backend and cached; storages come from a pool that reuses device buffers;
 * kernels run in order on one queue, with profiling events available through {@link #profile}. As a {@link KernelLab}
 * it offers the benchmarks its numbered kernel versions, device-side timing, the memory-copy kernel and the peak kernel.
 *
 * <p>Kernel calls are asynchronous: they return once queued. {@link #read}, the reductions that return a float, and
 * {@link #finish()} wait. One backend is used from one thread at a time (calls are serialised).
 */
public final class OpenClBackend implements Backend, KernelLab {
    private final ClContext cl;
    private final ClGemm gemm;
    private final ClConv conv;
    private final ClDepthwise depthwise;
    private final ClBlock block;
    private final ClPool pool;
    private final ClChannelOps channels;
    private final ClElementwise elementwise;
    private final ClReduce reduce;
    private final ClPeak peak;
    /** Where the kernel parameters came from, for the bench's header ({@link #tuningSource}). */
    private final String tuningSource;
    private boolean closed;

    public OpenClBackend(DeviceInfo device) {
        this.cl = new ClContext(device);
        Path cacheFile = TuningCache.file();
        TuningCache.Entry tuned = TuningCache.read(cacheFile, device);
        ClGemm g;
        ClDepthwise dw;
        try {
            g = new ClGemm(cl, tuned.params().getOrDefault(GEMM, Map.of()));
            dw = new ClDepthwise(cl, tuned.params().getOrDefault(DEPTHWISE, Map.of()));
        } catch (IllegalArgumentException e) {
            // a hand-edited or foreign entry: the defaults are always correct
            TuningCache.warnOnce(cacheFile, e.getMessage());
            tuned = TuningCache.Entry.NONE;
            g = new ClGemm(cl, Map.of());
            dw = new ClDepthwise(cl, Map.of());
        }
        this.gemm = g;
        this.depthwise = dw;
        this.tuningSource = tuned.params().isEmpty() ? "defaults for a " + (device.isGpu() ? "GPU" : "CPU device")
                : "tuned " + tuned.tuned() + ", " + cacheFile;
        this.conv = new ClConv(cl, gemm);
        this.block = new ClBlock(cl, gemm);
        this.pool = new ClPool(cl);
        this.channels = new ClChannelOps(cl);
        this.elementwise = new ClElementwise(cl);
        this.reduce = new ClReduce(cl);
        this.peak = new ClPeak(cl);
    }

    /** Opens the device that {@code spec} names ({@code opencl}, {@code auto} or {@code opencl:P:D}). */
    public static OpenClBackend open(String spec) {
        return new OpenClBackend(OpenClDevices.select(spec));
    }

    @Override
    public String name() {
        return cl.device.spec() + " (" + cl.device.name() + ")";
    }

    public DeviceInfo device() {
        return cl.device;
    }

    /** The context (tests build programs through it). */
    ClContext context() {
        return cl;
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        cl.close();
    }

    // ---- kernel versions, profiling, statistics -----------------------------------------------------------------

    /** {@link #GEMM}, {@link #DEPTHWISE} and {@link #BLOCK}. */
    @Override
    public List<String> families() {
        return List.of(GEMM, DEPTHWISE, BLOCK);
    }

    /** The numbered versions of a family ({@link #families}), oldest first. */
    @Override
    public List<String> versions(String family) {
        return switch (family) {
            case GEMM -> ClGemm.VERSIONS;
            case DEPTHWISE -> ClDepthwise.VERSIONS;
            case BLOCK -> ClBlock.VERSIONS;
            default -> throw new IllegalArgumentException("no numbered versions for '" + family + "'; use one of " + families());
        };
    }

    /** The version of a family this backend runs now (the fastest for the device unless changed). */
    @Override
    public synchronized String version(String family) {
        return switch (family) {
            case GEMM -> gemm.version();
            case DEPTHWISE -> depthwise.version();
            case BLOCK -> block.version();
            default -> versions(family).get(0);
        };
    }

    /** Runs {@code family} with version {@code v} from now on (benchmarks compare versions this way). */
    @Override
    public synchronized void useVersion(String family, String v) {
        switch (family) {
            case GEMM -> gemm.use(v);
            case DEPTHWISE -> depthwise.use(v);
            case BLOCK -> block.use(v);
            default -> versions(family);
        }
    }

    /** {@link #GEMM} and {@link #DEPTHWISE}: tile sizes, work-group sizes, outputs per work-item. */
    @Override
    public List<String> tunableFamilies() {
        return List.of(GEMM, DEPTHWISE);
    }

    @Override
    public Map<String, List<Integer>> tuningSpace(String family) {
        return switch (family) {
            case GEMM -> GemmTiles.space(cl.device);
            case DEPTHWISE -> ClDepthwise.space(cl.device);
            default -> throw new IllegalArgumentException("nothing to tune in '" + family + "'; use gemm or depthwise");
        };
    }

    @Override
    public synchronized Map<String, Integer> tuning(String family) {
        tuningSpace(family);
        return family.equals(GEMM) ? gemm.tuning() : depthwise.tuning();
    }

    @Override
    public Map<String, Integer> defaultTuning(String family) {
        tuningSpace(family);
        return family.equals(GEMM) ? gemm.defaultTuning() : depthwise.defaultTuning();
    }

    @Override
    public synchronized void useTuning(String family, Map<String, Integer> values) {
        tuningSpace(family);
        if (family.equals(GEMM)) gemm.tune(values);
        else depthwise.tune(values);
    }

    /** Where this backend's kernel parameters came from: the device type's defaults, or the tuning cache. */
    public String tuningSource() {
        return tuningSource;
    }

    /**
     * Stores the parameters in use now for every tunable family in the tuning cache, under this device, so that later
     * backends on it start with them; {@code speedups} (family → times as fast as the defaults) are kept beside them.
     */
    public synchronized Path saveTuning(Map<String, Double> speedups) throws IOException {
        Map<String, Map<String, Integer>> params = new LinkedHashMap<>();
        for (String f : tunableFamilies()) params.put(f, tuning(f));
        Path file = TuningCache.file();
        TuningCache.write(file, cl.device, params, speedups);
        return file;
    }

    /** Runs {@code work} and returns the device time of each kernel it launched (waits for them to finish). */
    public synchronized List<KernelTime> profile(Runnable work) {
        cl.startRecording();
        try {
            work.run();
        } finally {
            cl.finish();
        }
        return cl.stopRecording();
    }

    /** {@link #profile} summed: the device time of everything {@code work} launched, in nanoseconds. */
    @Override
    public long deviceNanos(Runnable work) {
        return profile(work).stream().mapToLong(KernelTime::nanos).sum();
    }

    /** The memory-copy kernel (the bandwidth reference of the benchmarks): y[0, n) = x[0, n). */
    @Override
    public synchronized void memoryCopyKernel(long n, Storage x, Storage y) {
        elementwise.copyKernel(n, s(x), s(y));
    }

    /** The fp32 peak kernel (peak.cl): chains of float16 multiply-adds on every compute unit. */
    @Override
    public synchronized double peakFmaKernel(int rounds) {
        return peak.run(this, rounds);
    }

    /** Device memory held by the buffer pool (in use and free). */
    public long pooledBytes() {
        return cl.pool.heldBytes();
    }

    /** GEMM calls that used a packed B kept from an earlier call (weights unchanged since). */
    public long packedOperandHits() {
        return gemm.packedHits();
    }

    /** Device buffers created so far (a pool that reuses buffers stops creating them). */
    public long buffersCreated() {
        return cl.pool.created();
    }

    /** Programs compiled so far (each kernel file once per set of build options). */
    public int programBuilds() {
        return cl.programs.builds();
    }

    // ---- memory ---------------------------------------------------------------------------------------------------

    private ClStorage s(Storage st) {
        if (st instanceof ClStorage c && c.backend() == this) return c;
        throw new IllegalArgumentException("storage of backend '" + (st == null ? "null" : st.backend().name())
                + "' used on " + name());
    }

    /** A storage or null (optional gradient outputs). */
    private ClStorage sn(Storage st) {
        return st == null ? null : s(st);
    }

    private static void checkRange(Storage s, long offset, long length, Supplier<String> what) {
        if (offset < 0 || length < 0 || offset + length > s.size()) {
            throw new IndexOutOfBoundsException(what.get() + ": [" + offset + ", " + (offset + length) + ") outside a storage of "
                    + s.size() + " floats");
        }
    }

    @Override
    public synchronized Storage allocate(long size) {
        ClStorage st = allocateUninitialized(size);
        elementwise.fill(size, 0f, st);
        return st;
    }

    /** A pooled buffer as the last user left it (outputs that a kernel overwrites need no zero fill). */
    @Override
    public synchronized ClStorage allocateUninitialized(long size) {
        if (size < 0 || size > Integer.MAX_VALUE) throw new IllegalArgumentException("cannot allocate " + size + " floats");
        long bytes = BufferPool.roundedBytes(size);
        return new ClStorage(this, cl.pool, cl.pool.acquire(bytes), size, bytes);
    }

    @Override
    public synchronized void write(Storage dst, long dstOffset, float[] src, int srcOffset, int length) {
        checkRange(dst, dstOffset, length, () -> "write");
        if (length > 0) cl.write(s(dst).mem(), 4 * dstOffset, src, srcOffset, length);
    }

    @Override
    public synchronized void read(Storage src, long srcOffset, float[] dst, int dstOffset, int length) {
        checkRange(src, srcOffset, length, () -> "read");
        if (length > 0) cl.read(s(src).mem(), 4 * srcOffset, dst, dstOffset, length);
    }

    @Override
    public synchronized void copy(Storage src, long srcOffset, Storage dst, long dstOffset, long length) {
        checkRange(src, srcOffset, length, () -> "copy source");
        checkRange(dst, dstOffset, length, () -> "copy destination");
        if (length > 0) cl.copy(s(src).mem(), 4 * srcOffset, s(dst).mem(), 4 * dstOffset, 4 * length);
    }

    @Override
    public synchronized void fill(Storage x, float value) {
        elementwise.fill(x.size(), value, s(x));
    }

    @Override
    public void finish() {
        cl.finish();
    }

    // ---- GEMM and convolution ---------------------------------------------------------------------------------------

    @Override
    public synchronized void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha, Storage a, long offA,
                                  int lda, Storage b, long offB, int ldb, float beta, Storage c, long offC, int ldc) {
        gemm.gemm(transA, transB, m, n, k, alpha, s(a).mem(), Math.toIntExact(offA), lda, s(b).mem(),
                Math.toIntExact(offB), ldb, beta, s(c).mem(), Math.toIntExact(offC), ldc);
    }

    @Override
    public synchronized void conv2d(ConvGeometry g, Storage x, Storage w, Storage y) {
        conv.forward(g, s(x), s(w), s(y));
    }

    @Override
    public synchronized void conv2dInputGrad(ConvGeometry g, Storage dy, Storage w, Storage dx) {
        conv.inputGrad(g, s(dy), s(w), s(dx));
    }

    @Override
    public synchronized void conv2dWeightGrad(ConvGeometry g, Storage x, Storage dy, Storage dw) {
        conv.weightGrad(g, s(x), s(dy), s(dw));
    }

    @Override
    public synchronized void depthwiseConv2d(ConvGeometry g, Storage x, Storage w, Storage y) {
        depthwise.forward(g, s(x), s(w), s(y));
    }

    @Override
    public synchronized void conv2dAffine(ConvGeometry g, Storage x, Storage w, Storage scale, Storage shift, float lo,
                                          float hi, Storage y) {
        if (!gemm.fusesEpilogue()) {
            Backend.super.conv2dAffine(g, x, w, scale, shift, lo, hi, y);
            return;
        }
        conv.forward(g, s(x), s(w), s(y), new Epilogue(s(scale), s(shift), lo, hi));
    }

    @Override
    public synchronized void depthwiseConv2dAffine(ConvGeometry g, Storage x, Storage w, Storage scale, Storage shift,
                                                   float lo, float hi, Storage y) {
        if (!depthwise.fusesEpilogue()) {
            Backend.super.depthwiseConv2dAffine(g, x, w, scale, shift, lo, hi, y);
            return;
        }
        depthwise.forward(g, s(x), s(w), s(y), new Epilogue(s(scale), s(shift), lo, hi));
    }

    /** In one launch where {@link ClBlock} fuses the block (v2_fused), otherwise the layers one after the other. */
    @Override
    public synchronized void invertedResidual(InvertedResidual b, Storage x, Storage expand, Storage expandScale,
                                              Storage expandShift, Storage depthwise, Storage depthwiseScale,
                                              Storage depthwiseShift, Storage project, Storage projectScale,
                                              Storage projectShift, Storage y) {
        if (!block.fuses(b)) {
            Backend.super.invertedResidual(b, x, expand, expandScale, expandShift, depthwise, depthwiseScale,
                    depthwiseShift, project, projectScale, projectShift, y);
            return;
        }
        block.forward(b, s(x), b.expand() ? s(expand) : null, b.expand() ? s(expandScale) : null,
                b.expand() ? s(expandShift) : null, s(depthwise), s(depthwiseScale), s(depthwiseShift), s(project),
                s(projectScale), s(projectShift), s(y));
    }

    @Override
    public synchronized void depthwiseConv2dInputGrad(ConvGeometry g, Storage dy, Storage w, Storage dx) {
        depthwise.inputGrad(g, s(dy), s(w), s(dx));
    }

    @Override
    public synchronized void depthwiseConv2dWeightGrad(ConvGeometry g, Storage x, Storage dy, Storage dw) {
        depthwise.weightGrad(g, s(x), s(dy), s(dw));
    }

    @Override
    public synchronized void pad(int n, int h, int w, int c, int top, int bottom, int left, int right, Storage x, Storage y) {
        elementwise.pad(n, h, w, c, top, bottom, left, right, s(x), s(y));
    }

    @Override
    public synchronized void padGrad(int n, int h, int w, int c, int top, int bottom, int left, int right, Storage dy,
                                     Storage dx) {
        elementwise.padGrad(n, h, w, c, top, bottom, left, right, s(dy), s(dx));
    }

    // ---- pooling and per-channel ops ------------------------------------------------------------------------------------

    @Override
    public synchronized void maxPool(ConvGeometry g, Storage x, Storage y) {
        pool.maxPool(g, s(x), s(y));
    }

    @Override
    public synchronized void maxPoolGrad(ConvGeometry g, Storage x, Storage dy, Storage dx) {
        pool.maxPoolGrad(g, s(x), s(dy), s(dx));
    }

    @Override
    public synchronized void globalAveragePool(int n, int hw, int c, Storage x, Storage y) {
        pool.globalAveragePool(n, hw, c, s(x), s(y));
    }

    @Override
    public synchronized void globalAveragePoolGrad(int n, int hw, int c, Storage dy, Storage dx) {
        pool.globalAveragePoolGrad(n, hw, c, s(dy), s(dx));
    }

    @Override
    public synchronized void channelAffine(int rows, int c, Storage x, Storage scale, Storage shift, Storage y) {
        channels.affine(rows, c, s(x), s(scale), s(shift), s(y));
    }

    @Override
    public synchronized void channelAffineClamp(int rows, int c, Storage x, Storage scale, Storage shift, float cap, Storage y) {
        channels.affineClamp(rows, c, s(x), s(scale), s(shift), cap, s(y));
    }

    @Override
    public synchronized void channelAffineGrad(int rows, int c, Storage x, Storage dy, Storage scale, Storage dx,
                                               Storage dScale, Storage dShift) {
        channels.affineGrad(rows, c, s(x), s(dy), s(scale), sn(dx), sn(dScale), sn(dShift));
    }

    @Override
    public synchronized void channelMoments(int rows, int c, Storage x, Storage mean, Storage var) {
        channels.moments(rows, c, s(x), s(mean), s(var));
    }

    @Override
    public synchronized void batchNormGrad(int rows, int c, Storage x, Storage dy, Storage mean, Storage var,
                                           Storage gamma, float eps, Storage dx, Storage dGamma, Storage dBeta) {
        channels.batchNormGrad(rows, c, s(x), s(dy), s(mean), s(var), s(gamma), eps, sn(dx), sn(dGamma), sn(dBeta));
    }

    @Override
    public synchronized void batchNormScaleShift(int c, Storage gamma, Storage beta, Storage mean, Storage var, float eps,
                                                 Storage scale, Storage shift) {
        channels.scaleShift(c, s(gamma), s(beta), s(mean), s(var), eps, s(scale), s(shift));
    }

    @Override
    public synchronized void biasAdd(int rows, int c, Storage x, Storage bias, Storage y) {
        channels.biasAdd(rows, c, s(x), s(bias), s(y));
    }

    @Override
    public synchronized void biasGrad(int rows, int c, Storage dy, Storage dBias) {
        channels.biasGrad(rows, c, s(dy), s(dBias));
    }

    // ---- elementwise ----------------------------------------------------------------------------------------------------

    @Override
    public synchronized void relu(long n, float cap, Storage x, Storage y) {
        elementwise.relu(n, cap, s(x), s(y));
    }

    @Override
    public synchronized void reluGrad(long n, float cap, Storage x, Storage dy, Storage dx) {
        elementwise.reluGrad(n, cap, s(x), s(dy), s(dx));
    }

    @Override
    public synchronized void add(long n, Storage a, Storage b, Storage y) {
        elementwise.add(n, s(a), s(b), s(y));
    }

    @Override
    public synchronized void mul(long n, Storage a, Storage b, Storage y) {
        elementwise.mul(n, s(a), s(b), s(y));
    }

    @Override
    public synchronized void mulGrad(long n, Storage dy, Storage b, Storage da) {
        elementwise.mulGrad(n, s(dy), s(b), s(da));
    }

    @Override
    public synchronized void scale(long n, float alpha, Storage x, Storage y) {
        elementwise.scale(n, alpha, s(x), s(y));
    }

    @Override
    public synchronized void axpy(long n, float alpha, Storage x, Storage y) {
        elementwise.axpy(n, alpha, s(x), s(y));
    }

    @Override
    public synchronized float sumSquares(long n, Storage x) {
        return reduce.sum(n, s(x), true);
    }

    @Override
    public synchronized float sum(long n, Storage x) {
        return reduce.sum(n, s(x), false);
    }

    @Override
    public synchronized void dropout(long n, float rate, long seed, Storage x, Storage mask, Storage y) {
        elementwise.dropout(n, rate, seed, s(x), s(mask), s(y));
    }

    // ---- loss -----------------------------------------------------------------------------------------------------------

    @Override
    public synchronized float softmaxCrossEntropy(int rows, int classes, Storage logits, Storage targets, Storage probs) {
        return reduce.softmaxCrossEntropy(rows, classes, s(logits), s(targets), s(probs));
    }

    @Override
    public synchronized void softmaxCrossEntropyGrad(int rows, int classes, Storage probs, Storage targets, float scale,
                                                     Storage dLogits) {
        reduce.softmaxCrossEntropyGrad(rows, classes, s(probs), s(targets), scale, s(dLogits));
    }

    @Override
    public synchronized void softmax(int rows, int classes, Storage logits, Storage probs) {
        reduce.softmax(rows, classes, s(logits), s(probs));
    }

    // ---- optimizers -----------------------------------------------------------------------------------------------------

    @Override
    public synchronized void sgdMomentumUpdate(long n, float lr, float momentum, Storage param, Storage grad,
                                               Storage velocity) {
        elementwise.sgdMomentum(n, lr, momentum, s(param), s(grad), s(velocity));
    }

    @Override
    public synchronized void adamUpdate(long n, float lr, float beta1, float beta2, float eps, int t, Storage param,
                                        Storage grad, Storage m, Storage v) {
        elementwise.adam(n, lr, beta1, beta2, eps, t, s(param), s(grad), s(m), s(v));
    }
}
