package pinkcnn.kernels;

import java.util.Arrays;
import org.jocl.cl_device_id;
import org.jocl.cl_platform_id;

/**
 * One OpenCL device and the limits kernels are sized by (work-group size, local memory). {@code platformIndex} and
 * {@code deviceIndex} are the P and D of {@code --device opencl:P:D}.
 */
public record DeviceInfo(
        int platformIndex, int deviceIndex, String platformName, String platformVersion,
        String name, String vendor, Type type, String version, String driverVersion, String openclCVersion,
        int computeUnits, int clockMhz, long maxWorkGroupSize, long[] maxWorkItemSizes,
        long localMemBytes, long globalMemBytes, long globalCacheBytes, long maxAllocBytes, int preferredFloatVectorWidth,
        cl_platform_id platform, cl_device_id device) {

    public enum Type { GPU, CPU, ACCELERATOR, OTHER }

    /** The {@code --device} value that selects this device. */
    public String spec() {
        return "opencl:" + platformIndex + ":" + deviceIndex;
    }

    public boolean isGpu() {
        return type == Type.GPU;
    }

    /** One line: spec, name, type and the main limits. */
    public String summary() {
        return String.format("%s  %s (%s, %s)", spec(), name, type.name().toLowerCase(), platformName);
    }

    /** The limits as indented lines, for {@code pinkcnn devices}. */
    public String limits() {
        return String.format(
                "    version %s, driver %s, %s%n"
                        + "    %d compute units at %d MHz; preferred float vector width %d%n"
                        + "    max work-group size %d, max work-item sizes %s%n"
                        + "    global memory %s (largest buffer %s, cache %s), local memory %s",
                version, driverVersion, openclCVersion, computeUnits, clockMhz, preferredFloatVectorWidth,
                maxWorkGroupSize, Arrays.toString(maxWorkItemSizes), bytes(globalMemBytes), bytes(maxAllocBytes),
                globalCacheBytes > 0 ? bytes(globalCacheBytes) : "not reported", bytes(localMemBytes));
    }

    static String bytes(long b) {
        if (b >= 1L << 30) return String.format("%.1f GiB", b / (double) (1L << 30));
        if (b >= 1L << 20) return String.format("%.1f MiB", b / (double) (1L << 20));
        return String.format("%d KiB", b >> 10);
    }

    @Override
    public String toString() {
        return summary();
    }
}
