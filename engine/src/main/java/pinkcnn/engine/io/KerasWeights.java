package pinkcnn.engine.io;

import io.jhdf.HdfFile;
import io.jhdf.api.Attribute;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Model weights in the layout Keras {@code model.save_weights(…h5)} writes, the one canonical weights format of pinkcnn:
 * an ordered map from layer name to that layer's named weights.
 *
 * <pre>
 * /                      attrs: layer_names (every layer in model order, weightless ones too), backend, keras_version
 * /Conv1                 attr weight_names = ["Conv1/kernel:0"]   (an empty float64 array for weightless layers)
 * /Conv1/Conv1/kernel:0  float32 dataset, shape 3×3×3×32
 * </pre>
 *
 * Reading (with jhdf) accepts what Keras writes: string attributes as fixed-length bytes (Keras 2 with h5py 2) or
 * variable-length strings (h5py 3), weights of whole-model files under {@code model_weights}, long attributes split
 * into {@code layer_names0, 1, …}. Writing ({@link Hdf5Writer}) uses the types Keras 2 files have — fixed-length byte
 * strings, an empty float64 array for a weightless layer — so Keras' {@code load_weights} (which reads a layer's
 * weights in {@code weight_names} order) and h5py read the result.
 */
public final class KerasWeights {

    /** The {@code backend} attribute Keras 2 writes. */
    public static final String DEFAULT_BACKEND = "tensorflow";
    /** The {@code keras_version} attribute written when none is known: the Keras 2 release whose layout this is. */
    public static final String DEFAULT_KERAS_VERSION = "2.2.4";
    /** HDF5 object headers hold at most 64 KiB; Keras splits longer attributes into name0, name1, … (same limit). */
    private static final int ATTRIBUTE_LIMIT_BYTES = 64512;

    private final Map<String, List<Weight>> layers = new LinkedHashMap<>();
    private String backend = DEFAULT_BACKEND;
    private String kerasVersion = DEFAULT_KERAS_VERSION;
    private String source = "weights";
    /** Extra string attributes of the root group (Keras ignores attributes it does not know). */
    private final Map<String, String> rootAttributes = new LinkedHashMap<>();

    /** Adds a layer at the end (an empty list for a weightless layer). Weight names must be unique in the layer. */
    public KerasWeights add(String layerName, List<Weight> weights) {
        if (layerName == null || layerName.isEmpty() || layerName.contains("/")) {
            throw new IllegalArgumentException("a layer name must be non-empty and without '/': '" + layerName + "'");
        }
        if (layers.containsKey(layerName)) throw new IllegalArgumentException("layer " + layerName + " added twice");
        Set<String> names = new HashSet<>();
        for (Weight w : weights) {
            if (!names.add(w.name())) {
                throw new IllegalArgumentException("layer " + layerName + " has two weights named " + w.name());
            }
        }
        layers.put(layerName, List.copyOf(weights));
        return this;
    }

    /** Every layer, in model order. */
    public List<String> layerNames() {
        return List.copyOf(layers.keySet());
    }

    public boolean hasLayer(String layerName) {
        return layers.containsKey(layerName);
    }

    /** The weights of a layer in file order (empty for a weightless layer); an error if the layer is absent. */
    public List<Weight> weights(String layerName) {
        List<Weight> w = layers.get(layerName);
        if (w == null) throw new IllegalArgumentException(source + ": no layer named " + layerName);
        return w;
    }

    /** One weight by its short name, e.g. {@code weight("Conv1", "kernel:0")}. */
    public Weight weight(String layerName, String weightName) {
        for (Weight w : weights(layerName)) {
            if (w.name().equals(weightName)) return w;
        }
        throw new IllegalArgumentException(source + ": layer " + layerName + " has no weight " + weightName);
    }

    /** Layer name → weights, in model order (read-only). */
    public Map<String, List<Weight>> layers() {
        return Collections.unmodifiableMap(layers);
    }

    public long parameterCount() {
        long n = 0;
        for (List<Weight> ws : layers.values()) {
            for (Weight w : ws) n += w.data().length;
        }
        return n;
    }

    public int weightCount() {
        int n = 0;
        for (List<Weight> ws : layers.values()) n += ws.size();
        return n;
    }

    public String backend() {
        return backend;
    }

    public String kerasVersion() {
        return kerasVersion;
    }

    public KerasWeights withKerasVersion(String version) {
        this.kerasVersion = version;
        return this;
    }

    public KerasWeights withBackend(String backend) {
        this.backend = backend;
        return this;
    }

    /**
     * Adds a string attribute to the file's root group when written, e.g. a description of the model for the
     * script that rebuilds it (ASCII; Keras' loaders ignore attributes they do not know).
     */
    public KerasWeights withAttribute(String name, String value) {
        if (List.of("layer_names", "backend", "keras_version").contains(name)) {
            throw new IllegalArgumentException(name + " is written by Keras' layout itself");
        }
        if (!StandardCharsets.US_ASCII.newEncoder().canEncode(value) || value.length() > ATTRIBUTE_LIMIT_BYTES) {
            throw new IllegalArgumentException("attribute " + name + ": only ASCII up to " + ATTRIBUTE_LIMIT_BYTES + " bytes");
        }
        rootAttributes.put(name, value);
        return this;
    }

    /** Where these weights came from (the file name), used in error messages. */
    public String source() {
        return source;
    }

    public KerasWeights withSource(String source) {
        this.source = source;
        return this;
    }

    /**
     * The first layers, up to and including {@code lastLayer} (e.g. {@code out_relu}: a MobileNetV2 without its top).
     * The weights are shared, not copied.
     */
    public KerasWeights upTo(String lastLayer) {
        if (!layers.containsKey(lastLayer)) {
            throw new IllegalArgumentException(source + ": no layer named " + lastLayer);
        }
        KerasWeights out = new KerasWeights().withBackend(backend).withKerasVersion(kerasVersion).withSource(source);
        for (Map.Entry<String, List<Weight>> e : layers.entrySet()) {
            out.layers.put(e.getKey(), e.getValue());
            if (e.getKey().equals(lastLayer)) break;
        }
        return out;
    }

    // ------------------------------------------------------------------------------------------------ checking

    /**
     * Compares these weights with what a model expects (layer → weight specs) and returns one line per problem: a
     * missing layer, a missing or unexpected weight, a wrong shape. Weights match by short name, so a file whose
     * BatchNorm lists beta before gamma still loads right. Layers the model does not expect are ignored (a file with a
     * top fits a model without one).
     */
    public List<String> problemsAgainst(Map<String, List<WeightSpec>> expected) {
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, List<WeightSpec>> e : expected.entrySet()) {
            String layer = e.getKey();
            List<Weight> found = layers.get(layer);
            if (found == null) {
                if (!e.getValue().isEmpty()) problems.add("missing layer " + layer + " (expected " + e.getValue() + ")");
                continue;
            }
            Set<String> expectedNames = new HashSet<>();
            for (WeightSpec spec : e.getValue()) {
                expectedNames.add(spec.name());
                Weight w = find(found, spec.name());
                if (w == null) {
                    problems.add("layer " + layer + ": missing weight " + spec.name() + " (expected "
                            + WeightSpec.shapeText(spec.shape()) + ")");
                } else if (!Arrays.equals(w.shape(), spec.shape())) {
                    problems.add("layer " + layer + ": " + spec.name() + " has shape " + WeightSpec.shapeText(w.shape())
                            + ", expected " + WeightSpec.shapeText(spec.shape()));
                }
            }
            for (Weight w : found) {
                if (!expectedNames.contains(w.name())) {
                    problems.add("layer " + layer + ": unexpected weight " + w);
                }
            }
        }
        return problems;
    }

    /** {@link #problemsAgainst} as an exception naming the file, if there is any problem. */
    public void checkAgainst(Map<String, List<WeightSpec>> expected) throws WeightFileException {
        checkAgainst(expected, "the model");
    }

    /**
     * As {@link #checkAgainst(Map)}, with the model described in the message, e.g. "MobileNetV2 (alpha 1.0)".
     */
    public void checkAgainst(Map<String, List<WeightSpec>> expected, String modelDescription)
            throws WeightFileException {
        List<String> problems = problemsAgainst(expected);
        if (problems.isEmpty()) return;
        int shown = Math.min(problems.size(), 6);
        StringBuilder sb = new StringBuilder(source).append(" does not fit ").append(modelDescription).append(": ");
        sb.append(String.join("; ", problems.subList(0, shown)));
        if (problems.size() > shown) sb.append("; and ").append(problems.size() - shown).append(" more problems");
        throw new WeightFileException(sb.toString());
    }

    private static Weight find(List<Weight> weights, String name) {
        for (Weight w : weights) {
            if (w.name().equals(name)) return w;
        }
        return null;
    }

    // ------------------------------------------------------------------------------------------------ reading

    /**
     * Reads a Keras-layout weights file. Every problem (no such file, not HDF5, truncated, not the Keras layout) is a
     * {@link WeightFileException} whose message names the file.
     */
    public static KerasWeights read(Path file) throws WeightFileException {
        String name = file.toString();
        if (!Files.isRegularFile(file)) throw new WeightFileException(name + ": no such file");
        if (!hasHdf5Signature(file)) {
            throw new WeightFileException(name + ": not an HDF5 file (a Keras weights file is HDF5, as written by "
                    + "save_weights or pinkcnn)");
        }
        try (HdfFile hdf = Hdf5Files.open(file)) {
            checkComplete(hdf, name);
            return readLayout(hdf, name, hdf.size());
        } catch (WeightFileException e) {
            throw e;
        } catch (IOException e) {
            throw new WeightFileException(name + ": cannot read: " + e.getMessage(), e);
        } catch (RuntimeException | OutOfMemoryError | StackOverflowError e) {
            // jhdf reports damage as unchecked exceptions of several kinds (buffer underflows, HdfException …), and
            // a damaged size or a link cycle can still exhaust memory or the stack.
            throw new WeightFileException(name + ": cannot read this HDF5 file (truncated or damaged?): "
                    + Hdf5Files.describe(e), e);
        }
    }

    /** The HDF5 signature sits at offset 0, 512, 1024, 2048 … (after an optional user block). */
    private static boolean hasHdf5Signature(Path file) throws WeightFileException {
        byte[] signature = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
        try (InputStream in = Files.newInputStream(file)) {
            byte[] head = in.readNBytes(8 + 8192);
            for (int offset = 0; offset + 8 <= head.length; offset = offset == 0 ? 512 : offset * 2) {
                if (Arrays.equals(head, offset, offset + 8, signature, 0, 8)) return true;
            }
            return false;
        } catch (IOException e) {
            throw new WeightFileException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    /** The superblock records where the file ends; a shorter file was cut off (an interrupted copy or download). */
    private static void checkComplete(HdfFile hdf, String name) throws WeightFileException {
        long expected = hdf.getHdfBackingStorage().getSuperblock().getEndOfFileAddress() + hdf.getUserBlockSize();
        long actual = hdf.size();
        if (actual < expected) {
            throw new WeightFileException(name + ": truncated: the file has " + actual + " bytes, its HDF5 header says "
                    + expected);
        }
    }

    private static KerasWeights readLayout(HdfFile hdf, String name, long fileSize) throws WeightFileException {
        Group root = hdf;
        if (!hasAttribute(root, "layer_names") && root.getChildren().get("model_weights") instanceof Group) {
            root = (Group) root.getChildren().get("model_weights"); // a whole-model file (model.save)
        }
        List<String> layerNames = stringsAttribute(root, "layer_names", name);
        if (layerNames == null) {
            throw new WeightFileException(name + ": not a Keras weights file: no 'layer_names' attribute at its root");
        }
        KerasWeights out = new KerasWeights().withSource(name);
        String backend = stringAttribute(root, "backend");
        if (backend != null) out.backend = backend;
        String version = stringAttribute(root, "keras_version");
        if (version != null) out.kerasVersion = version;

        for (String layer : layerNames) {
            Node node = root.getChildren().get(layer);
            if (!(node instanceof Group)) {
                throw new WeightFileException(name + ": layer " + layer + " is listed in layer_names but has no group");
            }
            Group group = (Group) node;
            List<String> weightNames = stringsAttribute(group, "weight_names", name);
            List<Weight> weights = new ArrayList<>();
            for (String weightName : weightNames == null ? List.<String>of() : weightNames) {
                weights.add(readWeight(group, layer, weightName, name, fileSize));
            }
            try {
                out.add(layer, weights);
            } catch (IllegalArgumentException e) {
                throw new WeightFileException(name + ": " + e.getMessage());
            }
        }
        return out;
    }

    private static Weight readWeight(Group group, String layer, String weightName, String file, long fileSize)
            throws WeightFileException {
        Node node;
        try {
            node = group.getByPath(weightName);
        } catch (RuntimeException e) {
            node = null;
        }
        if (!(node instanceof Dataset)) {
            throw new WeightFileException(file + ": layer " + layer + ": weight " + weightName
                    + " is listed in weight_names but its dataset is missing");
        }
        Dataset ds = (Dataset) node;
        String implausible = Hdf5Files.implausibleSize(ds, fileSize);
        if (implausible != null) {
            throw new WeightFileException(file + ": layer " + layer + ": weight " + weightName + " " + implausible
                    + " (damaged?)");
        }
        int[] shape = ds.isScalar() ? new int[0] : ds.getDimensions();
        long count = Weight.elementCount(shape);
        Object flat = count == 0 ? new float[0] : ds.getDataFlat();
        float[] data;
        if (flat instanceof float[]) {
            data = (float[]) flat;
        } else if (flat instanceof double[]) {
            double[] d = (double[]) flat;
            data = new float[d.length];
            for (int i = 0; i < d.length; i++) data[i] = (float) d[i];
        } else if (ds.isScalar() && (flat instanceof Float || flat instanceof Double)) {
            data = new float[] {((Number) flat).floatValue()};
        } else {
            throw new WeightFileException(file + ": layer " + layer + ": weight " + weightName + " holds "
                    + ds.getJavaType() + " values, not floating point");
        }
        if (data.length != count) {
            throw new WeightFileException(file + ": layer " + layer + ": weight " + weightName + " has "
                    + data.length + " values for shape " + WeightSpec.shapeText(shape));
        }
        String shortName = weightName.substring(weightName.lastIndexOf('/') + 1);
        return new Weight(shortName, shape, data);
    }

    private static boolean hasAttribute(Node node, String attr) {
        return node.getAttributes().containsKey(attr) || node.getAttributes().containsKey(attr + "0");
    }

    /**
     * A string-array attribute, fixed- or variable-length, possibly split by Keras into {@code name0, name1, …};
     * an empty list for an empty (float64, shape 0) attribute; null when absent.
     */
    private static List<String> stringsAttribute(Node node, String attr, String file) throws WeightFileException {
        Map<String, Attribute> attrs = node.getAttributes();
        List<Attribute> parts = new ArrayList<>();
        if (attrs.containsKey(attr)) {
            parts.add(attrs.get(attr));
        } else {
            for (int i = 0; attrs.containsKey(attr + i); i++) parts.add(attrs.get(attr + i));
            if (parts.isEmpty()) return null;
        }
        List<String> out = new ArrayList<>();
        for (Attribute a : parts) {
            if (a.isEmpty() || a.getSize() == 0) continue;
            Object data = a.getData();
            if (data instanceof String) {
                out.add((String) data);
            } else if (data instanceof String[]) {
                out.addAll(Arrays.asList((String[]) data));
            } else {
                throw new WeightFileException(file + ": attribute " + attr + " of " + node.getPath()
                        + " is not a list of strings");
            }
        }
        return out;
    }

    private static String stringAttribute(Node node, String attr) {
        Attribute a = node.getAttributes().get(attr);
        if (a == null || a.isEmpty()) return null;
        Object data = a.getData();
        if (data instanceof String) return (String) data;
        if (data instanceof String[] && ((String[]) data).length == 1) return ((String[]) data)[0];
        return null;
    }

    // ------------------------------------------------------------------------------------------------ writing

    /**
     * Writes the Keras layout to {@code file}, atomically: to a temporary file beside it, then renamed over it, so a
     * reader never sees half a file and a failed write leaves any previous file as it was.
     */
    public void write(Path file) throws IOException {
        checkAttributeSize();
        AtomicFiles.writeAt(file, this::writeLayout);
    }

    private void checkAttributeSize() throws IOException {
        int longest = 1;
        for (String n : layers.keySet()) longest = Math.max(longest, n.getBytes(StandardCharsets.UTF_8).length + 1);
        if ((long) longest * layers.size() > ATTRIBUTE_LIMIT_BYTES) {
            throw new IOException("too many layers (" + layers.size() + ") for one layer_names attribute");
        }
    }

    private void writeLayout(Path tmp) throws IOException {
        Hdf5Writer.Group root = new Hdf5Writer.Group("/");
        root.strings("layer_names", List.copyOf(layers.keySet()));
        root.string("backend", backend);
        root.string("keras_version", kerasVersion);
        rootAttributes.forEach(root::string);
        for (Map.Entry<String, List<Weight>> e : layers.entrySet()) {
            String layer = e.getKey();
            Hdf5Writer.Group group = root.group(layer);
            List<Weight> weights = e.getValue();
            if (weights.isEmpty()) {
                group.emptyArray("weight_names"); // Keras writes numpy.asarray([]) for a weightless layer
                continue;
            }
            // Keras names a weight "<layer>/<short name>" and stores it at that path under the layer's group.
            List<String> weightNames = new ArrayList<>();
            Hdf5Writer.Group inner = group.group(layer);
            for (Weight w : weights) {
                weightNames.add(layer + "/" + w.name());
                inner.dataset(w.name(), w.shape(), w.data());
            }
            group.strings("weight_names", weightNames);
        }
        Hdf5Writer.write(root, tmp);
    }
}
