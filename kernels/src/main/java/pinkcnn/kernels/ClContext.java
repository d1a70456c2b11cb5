package pinkcnn.kernels;

import static org.jocl.CL.*;

import java.util.ArrayList;
import java.util.List;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_command_queue;
import org.jocl.cl_context;
import org.jocl.cl_context_properties;
import org.jocl.cl_device_id;
import org.jocl.cl_event;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;

/**
 * One device's OpenCL context: an in-order command queue with profiling enabled, the program cache and the buffer
 * pool. Kernel launches go through {@link #launch}; while {@link #startRecording() recording}, each launch keeps its
 * profiling event so that the device time of every kernel can be read afterwards.
 */
final class ClContext implements AutoCloseable {
    final DeviceInfo device;
    final cl_context context;
    final cl_command_queue queue;
    final ProgramCache programs;
    final BufferPool pool;
    /** Work-group size of one-dimensional elementwise launches ({@code -Dpinkcnn.opencl.local}, default 256). */
    final long local1;
    /**
     * The widest float vector kernels use per work-item: 16 (one AVX-512 register) on CPU devices, 4 on GPUs, where
     * the parallelism comes from work-items instead.
     */
    final int maxVectorWidth;
    private List<cl_event> events;
    private List<String> eventNames;
    /**
     * When each buffer was last possibly written: a tick of {@link #clock} per launch, copy or host write that had it as
     * an argument (inputs count too: the context cannot tell them apart, so it errs on the side of "changed"). A copy
     * derived from a buffer (a packed GEMM operand) stays valid while {@link #lastWrite} of its source is unchanged.
     */
    private final java.util.Map<cl_mem, Long> lastWrites = new java.util.IdentityHashMap<>();
    /** The argument values each kernel object was last given ({@link #launch}), buffers by identity. */
    private final java.util.Map<cl_kernel, Object[]> argsSet = new java.util.IdentityHashMap<>();
    private long clock;

    @SuppressWarnings("deprecation")
    ClContext(DeviceInfo device) {
        this.device = device;
        cl_context_properties props = new cl_context_properties();
        props.addProperty(CL_CONTEXT_PLATFORM, device.platform());
        this.context = clCreateContext(props, 1, new cl_device_id[] {device.device()}, null, null, null);
        // clCreateCommandQueue (OpenCL 1.x) rather than ...WithProperties (2.0+): it exists on every platform.
        this.queue = clCreateCommandQueue(context, device.device(), CL_QUEUE_PROFILING_ENABLE, null);
        this.programs = new ProgramCache(context, device.device(), device.name());
        this.pool = new BufferPool(context);
        this.local1 = Math.min(Long.getLong("pinkcnn.opencl.local", 256),
                Math.min(device.maxWorkGroupSize(), device.maxWorkItemSizes()[0]));
        this.maxVectorWidth = device.isGpu() ? 4 : 16;
    }

    private void touched(cl_mem m) {
        lastWrites.put(m, ++clock);
    }

    /** The tick of the last launch, copy or write that may have changed {@code m} (0: none since it was created). */
    synchronized long lastWrite(cl_mem m) {
        return lastWrites.getOrDefault(m, 0L);
    }

    ClKernel kernel(String file, String name, String options) {
        return new ClKernel(name, programs.kernel(file, name, options));
    }

    /**
     * Sets the arguments and enqueues {@code k} over {@code global} work-items in groups of {@code local} (null: the
     * runtime chooses). Arguments: {@link ClStorage}, {@link cl_mem}, {@link Integer}, {@link Float}, {@link Long}.
     * An argument equal to the one the kernel object last got at that position is not set again: OpenCL keeps
     * arguments between launches, and each clSetKernelArg costs host time (about half a microsecond on PoCL, and a
     * fused block has 28): a pass repeats the same launches, mostly with the same values and buffers.
     */
    synchronized void launch(ClKernel k, long[] global, long[] local, Object... args) {
        cl_kernel h = k.handle();
        Object[] set = argsSet.get(h);
        if (set == null || set.length < args.length) argsSet.put(h, set = new Object[args.length]);
        for (int i = 0; i < args.length; i++) {
            Object a = args[i] instanceof ClStorage s ? s.mem() : args[i];
            if (a instanceof cl_mem m) touched(m);
            if (a instanceof cl_mem ? set[i] == a : a.equals(set[i])) continue;
            if (a instanceof cl_mem m) clSetKernelArg(h, i, Sizeof.cl_mem, Pointer.to(m));
            else if (a instanceof Integer v) clSetKernelArg(h, i, Sizeof.cl_int, Pointer.to(new int[] {v}));
            else if (a instanceof Float v) clSetKernelArg(h, i, Sizeof.cl_float, Pointer.to(new float[] {v}));
            else if (a instanceof Long v) clSetKernelArg(h, i, Sizeof.cl_long, Pointer.to(new long[] {v}));
            else throw new IllegalArgumentException("kernel " + k.name() + ": argument " + i + " of unsupported type " + a);
            set[i] = a;
        }
        cl_event event = events == null ? null : new cl_event();
        clEnqueueNDRangeKernel(queue, h, global.length, null, global, local, 0, null, event);
        if (event != null) {
            events.add(event);
            eventNames.add(k.name());
        }
    }

    /** Launches {@code k} over {@code n} work-items (rounded up to whole groups; kernels check their bound). */
    void launch1(ClKernel k, long n, Object... args) {
        if (n <= 0) return;
        launch(k, new long[] {roundUp(n, local1)}, new long[] {local1}, args);
    }

    /**
     * Launches {@code k} over a d0 × d1 × d2 grid whose first axis is the contiguous one (channels, or a row of
     * floats). Work-groups span up to 256 work-items (filled along d0, then d1, then d2: a CPU runtime pays per group),
     * as many of them along d0 as divides it well, so that neighbouring
     * work-items touch neighbouring addresses (SIMD lanes on a CPU, coalesced loads on a GPU). Kernels index with
     * get_global_id instead of dividing a flat index (integer division is slow, and does not vectorise, on CPUs) and
     * check all three bounds.
     */
    void launchGrid(ClKernel k, long d0, long d1, long d2, Object... args) {
        if (d0 <= 0 || d1 <= 0 || d2 <= 0) return;
        long l0 = groupWidth(d0, local1), l1 = Math.max(1, Math.min(d1, local1 / l0));
        long l2 = Math.max(1, Math.min(d2, local1 / (l0 * l1)));
        launch(k, new long[] {roundUp(d0, l0), roundUp(d1, l1), roundUp(d2, l2)}, new long[] {l0, l1, l2}, args);
    }

    /** d0 itself when it fits a group; else its largest divisor in [32, max]; else max (the last group is partial). */
    static long groupWidth(long d0, long max) {
        if (d0 <= max) return d0;
        for (long l = max; l >= 32; l--) if (d0 % l == 0) return l;
        return max;
    }

    /** Device-side copy of {@code bytes} bytes. */
    synchronized void copy(cl_mem src, long srcOffset, cl_mem dst, long dstOffset, long bytes) {
        touched(dst);
        cl_event event = events == null ? null : new cl_event();
        clEnqueueCopyBuffer(queue, src, dst, srcOffset, dstOffset, bytes, 0, null, event);
        if (event != null) {
            events.add(event);
            eventNames.add("copy_buffer");
        }
    }

    synchronized void write(cl_mem dst, long byteOffset, float[] src, int srcOffset, int length) {
        touched(dst);
        clEnqueueWriteBuffer(queue, dst, CL_TRUE, byteOffset, 4L * length, Pointer.to(src).withByteOffset(4L * srcOffset),
                0, null, null);
    }

    synchronized void read(cl_mem src, long byteOffset, float[] dst, int dstOffset, int length) {
        clEnqueueReadBuffer(queue, src, CL_TRUE, byteOffset, 4L * length, Pointer.to(dst).withByteOffset(4L * dstOffset),
                0, null, null);
    }

    void finish() {
        clFinish(queue);
    }

    /** From now on every launch records a profiling event. */
    synchronized void startRecording() {
        if (events != null) throw new IllegalStateException("already recording");
        events = new ArrayList<>();
        eventNames = new ArrayList<>();
    }

    /** Waits for the queue and returns the device time of every kernel launched since {@link #startRecording()}. */
    synchronized List<KernelTime> stopRecording() {
        if (events == null) throw new IllegalStateException("not recording");
        clFinish(queue);
        List<KernelTime> out = new ArrayList<>(events.size());
        long[] start = new long[1], end = new long[1];
        for (int i = 0; i < events.size(); i++) {
            cl_event e = events.get(i);
            clGetEventProfilingInfo(e, CL_PROFILING_COMMAND_START, Sizeof.cl_ulong, Pointer.to(start), null);
            clGetEventProfilingInfo(e, CL_PROFILING_COMMAND_END, Sizeof.cl_ulong, Pointer.to(end), null);
            clReleaseEvent(e);
            out.add(new KernelTime(eventNames.get(i), end[0] - start[0]));
        }
        events = null;
        eventNames = null;
        return out;
    }

    @Override
    public void close() {
        clFinish(queue);
        programs.close();
        pool.close();
        clReleaseCommandQueue(queue);
        clReleaseContext(context);
    }

    /** The widest vector width (16, 8, 4, 2 or 1, at most {@link #maxVectorWidth}) that divides {@code c}. */
    int vectorWidth(int c) {
        for (int vw = maxVectorWidth; vw > 1; vw /= 2) if (c % vw == 0) return vw;
        return 1;
    }

    static long roundUp(long n, long multiple) {
        return (n + multiple - 1) / multiple * multiple;
    }
}
