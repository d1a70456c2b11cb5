package pinkcnn.kernels;

import static org.jocl.CL.*;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.jocl.CLException;
import org.jocl.Pointer;
import org.jocl.cl_context;
import org.jocl.cl_device_id;
import org.jocl.cl_kernel;
import org.jocl.cl_program;

/**
 * Kernel sources are classpath resources {@code /pinkcnn/kernels/<file>.cl}, one file per kernel family. Each
 * (file, build options) pair is compiled once per context; kernels are created once per program and reused. Tile sizes
 * and vector widths reach the source as {@code -D} options, so one file yields differently tuned programs.
 */
final class ProgramCache implements AutoCloseable {
    private static final String RESOURCE_DIR = "/pinkcnn/kernels/";

    private final cl_context context;
    private final cl_device_id device;
    private final String deviceName;
    private final Map<String, cl_program> programs = new HashMap<>();
    private final Map<String, cl_kernel> kernels = new HashMap<>();
    private int builds;

    ProgramCache(cl_context context, cl_device_id device, String deviceName) {
        this.context = context;
        this.device = device;
        this.deviceName = deviceName;
    }

    /** The kernel {@code name} from {@code file} built with {@code options}; built on first use. */
    synchronized cl_kernel kernel(String file, String name, String options) {
        String key = file + '\0' + options + '\0' + name;
        cl_kernel k = kernels.get(key);
        if (k == null) {
            k = clCreateKernel(program(file, options), name, null);
            kernels.put(key, k);
        }
        return k;
    }

    private synchronized cl_program program(String file, String options) {
        String key = file + '\0' + options;
        cl_program p = programs.get(key);
        if (p == null) {
            p = build(file, source(file), options);
            programs.put(key, p);
        }
        return p;
    }

    /** How many programs were compiled so far (each file × options once). */
    synchronized int builds() {
        return builds;
    }

    /** Compiles {@code source}; a failure throws {@link KernelBuildException} with the file name and compiler log. */
    cl_program build(String file, String source, String options) {
        cl_program p = clCreateProgramWithSource(context, 1, new String[] {source}, null, null);
        try {
            clBuildProgram(p, 1, new cl_device_id[] {device}, options, null, null);
        } catch (CLException e) {
            String log = buildLog(p);
            clReleaseProgram(p);
            throw new KernelBuildException(file, options, deviceName, log.isBlank() ? e.getMessage() : log);
        }
        builds++;
        return p;
    }

    private String buildLog(cl_program p) {
        long[] size = new long[1];
        clGetProgramBuildInfo(p, device, CL_PROGRAM_BUILD_LOG, 0, null, size);
        byte[] buffer = new byte[(int) size[0]];
        clGetProgramBuildInfo(p, device, CL_PROGRAM_BUILD_LOG, buffer.length, Pointer.to(buffer), null);
        int n = 0;
        while (n < buffer.length && buffer[n] != 0) n++;
        return new String(buffer, 0, n, StandardCharsets.UTF_8);
    }

    /**
     * The source of a kernel file, with each {@code #include "NAME"} line replaced by that resource's text (the
     * sources live in the jar, where the OpenCL compiler's own include path cannot reach).
     */
    static String source(String file) {
        StringBuilder out = new StringBuilder();
        for (String line : resource(file).split("\n", -1)) {
            String t = line.trim();
            if (t.startsWith("#include \"") && t.endsWith("\"")) out.append(resource(t.substring(10, t.length() - 1)));
            else out.append(line).append('\n');
        }
        return out.toString();
    }

    private static String resource(String file) {
        try (InputStream in = ProgramCache.class.getResourceAsStream(RESOURCE_DIR + file)) {
            if (in == null) throw new IllegalStateException("kernel source " + RESOURCE_DIR + file + " is not on the classpath");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read kernel source " + file, e);
        }
    }

    @Override
    public synchronized void close() {
        kernels.values().forEach(k -> clReleaseKernel(k));
        programs.values().forEach(p -> clReleaseProgram(p));
        kernels.clear();
        programs.clear();
    }
}
