package pinkcnn.kernels;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import pinkcnn.engine.io.AtomicFiles;
import pinkcnn.engine.io.CacheDir;

/**
 * The kernel parameters {@code pinkcnn bench --tune} found fastest, per device, in {@code opencl-tuning.json} in the
 * cache folder; {@link OpenClBackend} reads them when it starts. A device is its platform, name, driver version and
 * compute units: a new driver or another thread count of PoCL may favour other tiles, so it starts from the defaults
 * until it is tuned. A file that cannot be read or makes no sense is ignored with one warning per process (the
 * defaults are always correct, only perhaps slower), and the next {@code --tune} replaces it.
 *
 * <pre>{"version": 1, "devices": {"&lt;key&gt;": {"tuned": "2025-…", "params": {"gemm": {"MR": 8, …}, …},
 *  "speedup": {"gemm": 1.04, …}}}}</pre>
 */
public final class TuningCache {
    public static final String FILE = "opencl-tuning.json";
    static final int FORMAT = 1;
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final Set<String> WARNED = ConcurrentHashMap.newKeySet();

    /** A device's tuned parameters by family (empty when it was never tuned) and when they were found. */
    public record Entry(Map<String, Map<String, Integer>> params, String tuned) {
        static final Entry NONE = new Entry(Map.of(), null);
    }

    private TuningCache() {}

    /** The cache file in the cache folder in use now. */
    public static Path file() {
        return CacheDir.path().resolve(FILE);
    }

    /** The key a device's parameters are stored under. */
    static String key(DeviceInfo d) {
        return d.platformName() + " | " + d.name() + " | driver " + d.driverVersion() + " | " + d.computeUnits() + " compute units";
    }

    /** The entry for {@code d}, or {@link Entry#NONE}: never tuned, no file, or a file that is ignored (warned once). */
    static Entry read(Path file, DeviceInfo d) {
        if (!Files.isRegularFile(file)) return Entry.NONE;
        JsonNode device;
        try {
            device = devices(JSON.readTree(file.toFile())).get(key(d));
        } catch (IOException | RuntimeException e) {
            warnOnce(file, e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse(""));
            return Entry.NONE;
        }
        if (device == null) return Entry.NONE;
        Map<String, Map<String, Integer>> params = new LinkedHashMap<>();
        JsonNode p = device.get("params");
        if (p == null || !p.isObject()) {
            warnOnce(file, "the entry of " + key(d) + " has no \"params\" object");
            return Entry.NONE;
        }
        for (var family : (Iterable<Map.Entry<String, JsonNode>>) p::fields) {
            if (!family.getValue().isObject()) {
                warnOnce(file, "\"" + family.getKey() + "\" is not an object of parameters");
                return Entry.NONE;
            }
            Map<String, Integer> values = new LinkedHashMap<>();
            for (var v : (Iterable<Map.Entry<String, JsonNode>>) family.getValue()::fields) {
                if (!v.getValue().isInt()) {
                    warnOnce(file, family.getKey() + " " + v.getKey() + " is not an integer");
                    return Entry.NONE;
                }
                values.put(v.getKey(), v.getValue().intValue());
            }
            params.put(family.getKey(), values);
        }
        JsonNode tuned = device.get("tuned");
        return new Entry(params, tuned == null ? null : tuned.asText());
    }

    private static JsonNode devices(JsonNode root) throws IOException {
        if (root == null || !root.isObject()) throw new IOException("not a JSON object");
        if (root.path("version").asInt(-1) != FORMAT) throw new IOException("format version is not " + FORMAT);
        JsonNode devices = root.get("devices");
        if (devices == null || !devices.isObject()) throw new IOException("no \"devices\" object");
        return devices;
    }

    /** Stores {@code d}'s parameters beside other devices' (an unreadable old file is replaced), atomically. */
    static void write(Path file, DeviceInfo d, Map<String, Map<String, Integer>> params, Map<String, Double> speedups)
            throws IOException {
        ObjectNode root;
        try {
            JsonNode old = Files.isRegularFile(file) ? JSON.readTree(file.toFile()) : null;
            devices(old);
            root = (ObjectNode) old;
        } catch (IOException | RuntimeException e) {
            root = JSON.createObjectNode();
            root.put("version", FORMAT);
            root.putObject("devices");
        }
        ObjectNode entry = JSON.createObjectNode();
        entry.put("tuned", java.time.LocalDateTime.now().withNano(0).toString());
        entry.set("params", JSON.valueToTree(params));
        entry.set("speedup", JSON.valueToTree(speedups));
        ((ObjectNode) root.get("devices")).set(key(d), entry);
        Files.createDirectories(file.toAbsolutePath().getParent());
        byte[] bytes = JSON.writeValueAsBytes(root);
        AtomicFiles.write(file, out -> out.write(bytes));
    }

    /** One line on stderr per file and process: the defaults are used instead. */
    static void warnOnce(Path file, String why) {
        if (WARNED.add(file.toAbsolutePath().toString())) {
            System.err.println("pinkcnn: ignoring the OpenCL tuning cache " + file + " (" + why
                    + "); using default kernel parameters ('pinkcnn bench --tune' writes it again)");
        }
    }
}
