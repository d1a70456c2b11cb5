package pinkcnn.trainer;

import pinkcnn.engine.backend.Backend;
import pinkcnn.engine.cpu.CpuBackend;
import picocli.CommandLine.Option;

/**
 * {@code --device auto|cpu|opencl|opencl:P:D} and {@code --threads N}, shared by every command that computes
 * (a picocli mixin).
 */
public final class DeviceOption {

    @Option(names = "--device", defaultValue = "auto", paramLabel = "DEVICE",
            description = "auto (an OpenCL GPU, else an OpenCL CPU device, else the Java CPU backend), cpu, opencl, "
                    + "or opencl:P:D for platform P, device D (see 'pinkcnn devices'). Default: ${DEFAULT-VALUE}.")
    String device;

    @Option(names = "--threads", defaultValue = "0", paramLabel = "N",
            description = "Threads of the Java CPU backend (0 = all cores).")
    int threads;

    /** Opens the chosen backend; the caller closes it. */
    public Backend open() {
        String d = device.trim().toLowerCase();
        if (d.equals("cpu") || d.equals("auto")) {
            // TODO(opencl): 'auto' prefers an OpenCL device once the OpenCL backend lands.
            return new CpuBackend(threads);
        }
        throw new UserError("unknown --device '" + device + "': use auto, cpu, opencl or opencl:P:D");
    }

    public int threads() {
        return threads <= 0 ? Runtime.getRuntime().availableProcessors() : threads;
    }
}
