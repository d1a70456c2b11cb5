package pinkcnn.kernels;

import static org.jocl.CL.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.jocl.CL;
import org.jocl.CLException;
import org.jocl.Pointer;
import org.jocl.cl_device_id;
import org.jocl.cl_platform_id;

/**
 * Finds OpenCL platforms and devices and picks one for a {@code --device} value. Every way OpenCL can be missing — no
 * library, no platform, no device, a wrong index — ends in an {@link OpenClUnavailableException} with a one-line
 * message.
 */
public final class OpenClDevices {
    private OpenClDevices() {}

    /** Loads JOCL and the system's libOpenCL once; later calls rethrow the first failure's message. */
    private static volatile String loadFailure;
    private static volatile boolean loaded;

    static synchronized void ensureLibrary() {
        if (loaded) return;
        if (loadFailure != null) throw new OpenClUnavailableException(loadFailure);
        try {
            CL.setExceptionsEnabled(true); // first use of CL loads the JOCL native library and libOpenCL
            loaded = true;
        } catch (LinkageError e) {
            loadFailure = libraryMissingMessage(e);
            throw new OpenClUnavailableException(loadFailure, e);
        }
    }

    /** The message for a library that failed to load (JOCL's own native code or the system's libOpenCL). */
    static String libraryMissingMessage(Throwable e) {
        return "no OpenCL library could be loaded (" + firstLine(e.getMessage()) + "); "
                + OpenClUnavailableException.INSTALL_HINT;
    }

    private static String firstLine(String s) {
        if (s == null) return "unknown error";
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    /** Every device of every platform, in platform then device order. */
    public static List<DeviceInfo> list() {
        ensureLibrary();
        cl_platform_id[] platforms;
        try {
            int[] count = new int[1];
            clGetPlatformIDs(0, null, count);
            platforms = new cl_platform_id[count[0]];
            if (count[0] > 0) clGetPlatformIDs(count[0], platforms, null);
        } catch (CLException e) {
            if (e.getStatus() != CL_PLATFORM_NOT_FOUND_KHR) throw e;
            platforms = new cl_platform_id[0];
        }
        if (platforms.length == 0) {
            throw new OpenClUnavailableException("no OpenCL platform found (the OpenCL library is there, but no driver "
                    + "is registered in /etc/OpenCL/vendors); " + OpenClUnavailableException.INSTALL_HINT);
        }
        List<DeviceInfo> out = new ArrayList<>();
        for (int p = 0; p < platforms.length; p++) {
            cl_device_id[] devices = devices(platforms[p]);
            for (int d = 0; d < devices.length; d++) out.add(describe(p, d, platforms[p], devices[d]));
        }
        if (out.isEmpty()) {
            throw new OpenClUnavailableException("OpenCL platforms found, but none has a device; "
                    + OpenClUnavailableException.INSTALL_HINT);
        }
        return out;
    }

    private static cl_device_id[] devices(cl_platform_id platform) {
        int[] count = new int[1];
        try {
            clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, 0, null, count);
        } catch (CLException e) {
            if (e.getStatus() == CL_DEVICE_NOT_FOUND) return new cl_device_id[0];
            throw e;
        }
        cl_device_id[] devices = new cl_device_id[count[0]];
        if (count[0] > 0) clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, count[0], devices, null);
        return devices;
    }

    /**
     * The device for a {@code --device} value: {@code opencl} (or {@code auto}) takes the first GPU, else the first CPU
     * device, else the first device; {@code opencl:P:D} takes device D of platform P.
     */
    public static DeviceInfo select(String spec) {
        String s = spec.trim().toLowerCase();
        List<DeviceInfo> all = list();
        if (s.equals("opencl") || s.equals("auto")) {
            for (DeviceInfo d : all) if (d.type() == DeviceInfo.Type.GPU) return d;
            for (DeviceInfo d : all) if (d.type() == DeviceInfo.Type.CPU) return d;
            return all.get(0);
        }
        String[] parts = s.split(":");
        if (parts.length != 3 || !parts[0].equals("opencl")) {
            throw new IllegalArgumentException("not an OpenCL device: '" + spec + "' (use opencl or opencl:P:D)");
        }
        int p, d;
        try {
            p = Integer.parseInt(parts[1]);
            d = Integer.parseInt(parts[2]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not an OpenCL device: '" + spec + "' (P and D are numbers, as 'pinkcnn devices' lists them)");
        }
        for (DeviceInfo info : all) if (info.platformIndex() == p && info.deviceIndex() == d) return info;
        throw new OpenClUnavailableException("no OpenCL device " + p + ":" + d + " (see 'pinkcnn devices'; found "
                + all.stream().map(DeviceInfo::spec).toList() + ")");
    }

    static DeviceInfo describe(int p, int d, cl_platform_id platform, cl_device_id device) {
        long type = deviceLong(device, CL_DEVICE_TYPE);
        DeviceInfo.Type t = (type & CL_DEVICE_TYPE_GPU) != 0 ? DeviceInfo.Type.GPU
                : (type & CL_DEVICE_TYPE_CPU) != 0 ? DeviceInfo.Type.CPU
                : (type & CL_DEVICE_TYPE_ACCELERATOR) != 0 ? DeviceInfo.Type.ACCELERATOR : DeviceInfo.Type.OTHER;
        int dims = deviceInt(device, CL_DEVICE_MAX_WORK_ITEM_DIMENSIONS);
        long[] sizes = new long[dims];
        clGetDeviceInfo(device, CL_DEVICE_MAX_WORK_ITEM_SIZES, (long) dims * org.jocl.Sizeof.size_t, Pointer.to(sizes), null);
        return new DeviceInfo(p, d, platformString(platform, CL_PLATFORM_NAME), platformString(platform, CL_PLATFORM_VERSION),
                deviceString(device, CL_DEVICE_NAME), deviceString(device, CL_DEVICE_VENDOR), t,
                deviceString(device, CL_DEVICE_VERSION), deviceString(device, CL_DRIVER_VERSION),
                deviceString(device, CL_DEVICE_OPENCL_C_VERSION), deviceInt(device, CL_DEVICE_MAX_COMPUTE_UNITS),
                deviceInt(device, CL_DEVICE_MAX_CLOCK_FREQUENCY), deviceSize(device, CL_DEVICE_MAX_WORK_GROUP_SIZE), sizes,
                deviceLong(device, CL_DEVICE_LOCAL_MEM_SIZE), deviceLong(device, CL_DEVICE_GLOBAL_MEM_SIZE),
                deviceLong(device, CL_DEVICE_GLOBAL_MEM_CACHE_SIZE),
                deviceLong(device, CL_DEVICE_MAX_MEM_ALLOC_SIZE), deviceInt(device, CL_DEVICE_PREFERRED_VECTOR_WIDTH_FLOAT),
                platform, device);
    }

    private static String platformString(cl_platform_id platform, int param) {
        long[] size = new long[1];
        clGetPlatformInfo(platform, param, 0, null, size);
        byte[] buffer = new byte[(int) size[0]];
        clGetPlatformInfo(platform, param, buffer.length, Pointer.to(buffer), null);
        return cString(buffer);
    }

    private static String deviceString(cl_device_id device, int param) {
        long[] size = new long[1];
        clGetDeviceInfo(device, param, 0, null, size);
        byte[] buffer = new byte[(int) size[0]];
        clGetDeviceInfo(device, param, buffer.length, Pointer.to(buffer), null);
        return cString(buffer);
    }

    private static String cString(byte[] b) {
        int n = 0;
        while (n < b.length && b[n] != 0) n++;
        return new String(b, 0, n, StandardCharsets.UTF_8).trim();
    }

    private static int deviceInt(cl_device_id device, int param) {
        int[] v = new int[1];
        clGetDeviceInfo(device, param, org.jocl.Sizeof.cl_uint, Pointer.to(v), null);
        return v[0];
    }

    private static long deviceLong(cl_device_id device, int param) {
        long[] v = new long[1];
        clGetDeviceInfo(device, param, org.jocl.Sizeof.cl_ulong, Pointer.to(v), null);
        return v[0];
    }

    /** A size_t parameter (4 or 8 bytes depending on the platform). */
    private static long deviceSize(cl_device_id device, int param) {
        ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder());
        clGetDeviceInfo(device, param, org.jocl.Sizeof.size_t, Pointer.to(b), null);
        return org.jocl.Sizeof.size_t == 8 ? b.getLong(0) : b.getInt(0) & 0xFFFFFFFFL;
    }
}
