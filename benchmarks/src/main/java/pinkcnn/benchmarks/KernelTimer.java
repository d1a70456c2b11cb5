package pinkcnn.benchmarks;

import pinkcnn.engine.backend.Backend;

/**
 * Times one run of a kernel in milliseconds. The default is the wall clock around the call and
 * {@link Backend#finish()}; a device backend can supply its own (device-side profiling events).
 */
public interface KernelTimer {
    double timeMillis(Runnable kernel);

    static KernelTimer wallClock(Backend backend) {
        return kernel -> {
            long t0 = System.nanoTime();
            kernel.run();
            backend.finish();
            return (System.nanoTime() - t0) / 1e6;
        };
    }
}
