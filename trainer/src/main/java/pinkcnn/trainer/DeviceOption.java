package pinkcnn.trainer;

import java.io.PrintWriter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import pinkcnn.engine.backend.Backend;
import pinkcnn.engine.cpu.CpuBackend;
import pinkcnn.kernels.OpenClBackend;
import pinkcnn.kernels.OpenClUnavailableException;

/**
 * {@code --device auto|cpu|opencl|opencl:P:D} and {@code --threads N}, shared by every command that computes
 * (a picocli mixin).
 *
 * <p>{@code auto} takes an OpenCL GPU, else an OpenCL CPU device (PoCL), else the Java CPU backend, saying on one line
 * why OpenCL was not used. An explicit {@code opencl} that cannot be opened is a {@link UserError} (exit code 2) with
 * the same line.
 */
public final class DeviceOption {

    @Option(names = "--device", defaultValue = "auto", paramLabel = "DEVICE",
            description = "auto (an OpenCL GPU, else an OpenCL CPU device, else the Java CPU backend), cpu, opencl, "
                    + "or opencl:P:D for platform P, device D (see 'pinkcnn devices'). Default: ${DEFAULT-VALUE}.")
    String device;

    @Option(names = "--threads", defaultValue = "0", paramLabel = "N",
            description = "Threads of the Java CPU backend (0 = all cores).")
    int threads;

    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    /** The option as if given {@code --device device} (for commands that call others' code, such as demo). */
    public static DeviceOption of(String device) {
        DeviceOption d = new DeviceOption();
        d.device = device;
        return d;
    }

    /** Opens the chosen backend; the caller closes it. */
    public Backend open() {
        String d = device.trim().toLowerCase();
        if (d.equals("cpu")) return new CpuBackend(threads);
        if (d.equals("auto")) {
            try {
                return OpenClBackend.open("auto");
            } catch (OpenClUnavailableException e) {
                err().println("pinkcnn: " + e.getMessage() + " (using the Java CPU backend)");
                err().flush();
                return new CpuBackend(threads);
            }
        }
        if (d.equals("opencl") || d.startsWith("opencl:")) {
            try {
                return OpenClBackend.open(d);
            } catch (OpenClUnavailableException | IllegalArgumentException e) {
                throw new UserError(e.getMessage(), e);
            }
        }
        throw new UserError("unknown --device '" + device + "': use auto, cpu, opencl or opencl:P:D");
    }

    private PrintWriter err() {
        return command != null ? command.commandLine().getErr() : new PrintWriter(System.err, true);
    }

    public int threads() {
        return threads <= 0 ? Runtime.getRuntime().availableProcessors() : threads;
    }
}
