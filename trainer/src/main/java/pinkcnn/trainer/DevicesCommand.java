package pinkcnn.trainer;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import pinkcnn.kernels.DeviceInfo;
import pinkcnn.kernels.OpenClDevices;
import pinkcnn.kernels.OpenClUnavailableException;

/** {@code pinkcnn devices}: the OpenCL platforms and devices with their limits, and what {@code --device auto} picks. */
@Command(name = "devices", mixinStandardHelpOptions = true,
        description = "List OpenCL platforms and devices (with their limits) and the backend --device auto would use.")
public final class DevicesCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        String cpu = "Java CPU backend: --device cpu (" + Runtime.getRuntime().availableProcessors() + " threads)";
        List<DeviceInfo> devices;
        try {
            devices = OpenClDevices.list();
        } catch (OpenClUnavailableException e) {
            out.println("OpenCL: " + e.getMessage());
            out.println(cpu);
            out.println("--device auto uses: the Java CPU backend");
            out.flush();
            return 0;
        }
        int platform = -1;
        for (DeviceInfo d : devices) {
            if (d.platformIndex() != platform) {
                platform = d.platformIndex();
                out.printf("platform %d: %s (%s)%n", d.platformIndex(), d.platformName(), d.platformVersion());
            }
            out.printf("  %-13s %s (%s, %s)%n", d.spec(), d.name(), d.type().name().toLowerCase(), d.vendor());
            out.println(d.limits().replace("    ", "      "));
        }
        out.println(cpu);
        DeviceInfo auto = OpenClDevices.select("auto");
        out.println("--device auto uses: " + auto.spec() + " (" + auto.name() + ")");
        out.flush();
        return 0;
    }
}
