package pinkcnn.benchmarks;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import pinkcnn.engine.backend.Backend;
import pinkcnn.engine.backend.KernelLab;

/**
 * Measured roofs ({@link PeakBench}) kept for the process and, where a file is given, on disk (a JSON map keyed by
 * device and thread count), so that every bench table's {@code %peak} divides by a measured figure without measuring
 * it each time. {@code pinkcnn bench --op peak} measures again and replaces the stored figure. A file that cannot be
 * read or written only loses the disk copy.
 */
public final class Peaks {
    private static final Map<String, PeakBench.Peak> PROCESS = new ConcurrentHashMap<>();
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path file;

    /** @param file where figures persist between processes, or null for this process only */
    public Peaks(Path file) {
        this.file = file;
    }

    /** The figure already measured for this device and thread count (this process first, then the file), or null. */
    public synchronized PeakBench.Peak known(Backend b, int threads) {
        String key = key(b, threads);
        PeakBench.Peak p = PROCESS.get(key);
        if (p == null && file != null) {
            p = read().get(key);
            if (p != null) PROCESS.put(key, p);
        }
        return p;
    }

    /** Measures now and keeps the figure. */
    public synchronized PeakBench.Peak measure(Backend b, int threads) {
        PeakBench.Peak p = PeakBench.measure(b, threads);
        String key = key(b, threads);
        PROCESS.put(key, p);
        if (file != null) {
            Map<String, PeakBench.Peak> all = read();
            all.put(key, p);
            try {
                Files.createDirectories(file.toAbsolutePath().getParent());
                Path tmp = file.resolveSibling(file.getFileName() + ".partial");
                JSON.writeValue(tmp.toFile(), all);
                Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                // the figure still serves this process
            }
        }
        return p;
    }

    /** The known figure, or a new measurement. */
    public PeakBench.Peak get(Backend b, int threads) {
        PeakBench.Peak p = known(b, threads);
        return p != null ? p : measure(b, threads);
    }

    private Map<String, PeakBench.Peak> read() {
        if (file == null || !Files.isRegularFile(file)) return new TreeMap<>();
        try {
            return new TreeMap<>(JSON.readValue(file.toFile(), new TypeReference<Map<String, PeakBench.Peak>>() {}));
        } catch (IOException e) {
            return new TreeMap<>(); // unreadable: measured again and rewritten
        }
    }

    /**
     * The device and thread count; for the CPU backend (named "cpu" on every machine) also the processor, so that a
     * cache folder shared between machines does not mix them up.
     */
    static String key(Backend b, int threads) {
        String device = b.name();
        if (!(b instanceof KernelLab)) device += " (" + cpuModel() + ", " + Runtime.getRuntime().availableProcessors() + " cores)";
        return device + " | " + threads + (threads == 1 ? " thread" : " threads");
    }

    private static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) return line.substring(line.indexOf(':') + 1).trim();
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: the architecture has to do
        }
        return System.getProperty("os.arch");
    }
}
