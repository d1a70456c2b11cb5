package pinkcnn.trainer.convert;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import pinkcnn.engine.io.KerasWeights;
import pinkcnn.engine.io.Weight;
import pinkcnn.engine.io.WeightFileException;

/**
 * A TF.js layers model ({@code model.json}: the Keras topology and a weights manifest, plus binary weight shards) read
 * into {@link KerasWeights}.
 *
 * <p>Names map one to one: the TF.js weight {@code Conv1/kernel} is the Keras weight {@code kernel:0} of layer
 * {@code Conv1}. Layers keep the topology's order, and each layer's weights the order Keras creates them in (kernel,
 * bias; gamma, beta, moving_mean, moving_variance), whatever order the manifest lists them in, so a Keras
 * {@code load_weights} of the written file puts every value in its place.
 */
public final class TfjsLayersModel {

    /** Keras' creation order of a layer's weights, by short name; names not listed keep manifest order after these. */
    private static final List<String> KERAS_WEIGHT_ORDER = List.of(
            "depthwise_kernel", "pointwise_kernel", "kernel", "recurrent_kernel", "bias",
            "gamma", "beta", "moving_mean", "moving_variance");

    private final String source;
    private final List<String> layerNames;
    private final Map<String, String> layerClasses;
    private final String kerasVersion;
    private final String backend;
    /** layer → (short name → weight), filled in manifest order. */
    private final Map<String, Map<String, Weight>> weightsByLayer;
    private final Map<String, Integer> storedDtypeCounts;

    private TfjsLayersModel(String source, List<String> layerNames, Map<String, String> layerClasses,
                            String kerasVersion, String backend, Map<String, Map<String, Weight>> weightsByLayer,
                            Map<String, Integer> storedDtypeCounts) {
        this.source = source;
        this.layerNames = layerNames;
        this.layerClasses = layerClasses;
        this.kerasVersion = kerasVersion;
        this.backend = backend;
        this.weightsByLayer = weightsByLayer;
        this.storedDtypeCounts = storedDtypeCounts;
    }

    /** Gives the bytes of one shard named in the manifest's {@code paths}. */
    @FunctionalInterface
    public interface ShardSource {
        byte[] read(String path) throws IOException;
    }

    /** Reads {@code model.json} and the shards its manifest names, from the same folder. */
    public static TfjsLayersModel read(Path modelJson) throws WeightFileException {
        String name = modelJson.toString();
        if (!Files.isRegularFile(modelJson)) throw new WeightFileException(name + ": no such file");
        Path dir = modelJson.toAbsolutePath().normalize().getParent();
        ReadLimits limits = new ReadLimits(dir.toString());
        Object parsed;
        try {
            limits.take(String.valueOf(modelJson.getFileName()), Files.size(modelJson));
            parsed = JsLiteral.parse(Files.readString(modelJson, StandardCharsets.UTF_8));
        } catch (WeightFileException e) {
            throw e;
        } catch (IOException e) {
            throw new WeightFileException(name + ": cannot read: " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new WeightFileException(name + ": not JSON: " + e.getMessage(), e);
        }
        return fromJson(parsed, path -> {
            Path shard = dir.resolve(path).normalize();
            if (!shard.startsWith(dir)) {
                throw new WeightFileException(name + ": weight shard " + path + " lies outside the model's folder");
            }
            if (!Files.isRegularFile(shard)) {
                throw new WeightFileException(name + ": weight shard " + path + " is missing (expected at " + shard + ")");
            }
            limits.take(path, Files.size(shard));
            return Files.readAllBytes(shard);
        }, name);
    }

    /**
     * Builds the model from an already parsed {@code model.json} object (see {@link JsLiteral}) and a source of
     * shard bytes; {@code source} names it in messages.
     */
    public static TfjsLayersModel fromJson(Object modelJson, ShardSource shards, String source)
            throws WeightFileException {
        try {
            return build(modelJson, shards, source);
        } catch (IllegalArgumentException e) {
            throw new WeightFileException(source + ": " + e.getMessage(), e);
        } catch (WeightFileException e) {
            throw e;
        } catch (IOException e) {
            throw new WeightFileException(source + ": " + e.getMessage(), e);
        }
    }

    private static TfjsLayersModel build(Object modelJson, ShardSource shards, String source) throws IOException {
        Map<String, Object> root = JsLiteral.object(modelJson, "model.json");
        if ("graph-model".equals(root.get("format"))) {
            throw new IllegalArgumentException("a TF.js graph model; only layers models (Keras topology) convert");
        }
        if (!root.containsKey("modelTopology")) {
            throw new IllegalArgumentException("not a TF.js model: no modelTopology");
        }
        Map<String, Object> topology = JsLiteral.object(root.get("modelTopology"), "modelTopology");
        String kerasVersion = topology.get("keras_version") instanceof String
                ? (String) topology.get("keras_version") : KerasWeights.DEFAULT_KERAS_VERSION;
        String backend = topology.get("backend") instanceof String
                ? (String) topology.get("backend") : KerasWeights.DEFAULT_BACKEND;
        Map<String, Object> modelConfig = topology.containsKey("model_config")
                ? JsLiteral.object(topology.get("model_config"), "modelTopology.model_config") : topology;

        List<String> layerNames = new ArrayList<>();
        Map<String, String> layerClasses = new LinkedHashMap<>();
        for (Object l : layerList(modelConfig)) {
            Map<String, Object> layer = JsLiteral.object(l, "a layer");
            String className = JsLiteral.string(layer.get("class_name"), "a layer's class_name");
            Map<String, Object> config = JsLiteral.object(layer.get("config"), "a layer's config");
            Object n = layer.containsKey("name") ? layer.get("name") : config.get("name");
            String layerName = JsLiteral.string(n, "a layer's name");
            if (className.equals("Model") || className.equals("Functional") || className.equals("Sequential")) {
                throw new IllegalArgumentException("layer " + layerName + " is a nested model; nested models do "
                        + "not convert (flatten the model in Keras first)");
            }
            if (layerClasses.put(layerName, className) != null) {
                throw new IllegalArgumentException("two layers are named " + layerName);
            }
            layerNames.add(layerName);
        }
        if (layerNames.isEmpty()) throw new IllegalArgumentException("the topology has no layers");

        Map<String, Map<String, Weight>> weightsByLayer = new HashMap<>();
        Map<String, Integer> storedDtypes = new LinkedHashMap<>();
        Object manifest = root.get("weightsManifest");
        List<Object> groups = manifest == null ? List.of() : JsLiteral.array(manifest, "weightsManifest");
        for (Object g : groups) {
            Map<String, Object> group = JsLiteral.object(g, "a weightsManifest group");
            ByteBuffer bytes = concatenatedShards(JsLiteral.array(group.get("paths"), "a group's paths"), shards);
            for (Object w : JsLiteral.array(group.get("weights"), "a group's weights")) {
                Map<String, Object> spec = JsLiteral.object(w, "a weight entry");
                String weightName = JsLiteral.string(spec.get("name"), "a weight's name");
                int[] shape = JsLiteral.intArray(spec.get("shape"), "the shape of " + weightName);
                String dtype = spec.get("dtype") == null ? "float32" : JsLiteral.string(spec.get("dtype"),
                        "the dtype of " + weightName);
                Map<String, Object> quant = spec.get("quantization") == null ? null
                        : JsLiteral.object(spec.get("quantization"), "the quantization of " + weightName);
                String storedDtype = quant == null ? dtype : JsLiteral.string(quant.get("dtype"),
                        "the quantization dtype of " + weightName);
                long count = Weight.elementCount(shape);
                long byteCount = count * TfjsWeightDecoder.bytesPerValue(storedDtype);
                if (bytes.remaining() < byteCount) {
                    throw new IllegalArgumentException("weight shards too short: " + weightName + " needs " + byteCount
                            + " more bytes, " + bytes.remaining() + " are left (a truncated shard?)");
                }
                storedDtypes.merge(quant == null ? dtype : dtype + " as " + storedDtype, 1, Integer::sum);

                int slash = weightName.lastIndexOf('/');
                String layer = slash < 0 ? null : owningLayer(weightName.substring(0, slash), layerClasses);
                if (layer == null) {
                    throw new IllegalArgumentException("weight " + weightName + " belongs to no layer of the topology");
                }
                if (!dtype.equals("float32")) {
                    // Keras layer weights are float32; anything else cannot go into a float32 weights file.
                    throw new IllegalArgumentException("weight " + weightName + " has dtype " + dtype
                            + "; only float32 weights convert");
                }
                float[] values;
                if (quant == null) {
                    values = TfjsWeightDecoder.decode(bytes, (int) count, null, 0, 0);
                } else if (storedDtype.equals("float16")) {
                    values = TfjsWeightDecoder.decode(bytes, (int) count, storedDtype, 0, 0);
                } else {
                    if (!quant.containsKey("scale") || !quant.containsKey("min")) {
                        throw new IllegalArgumentException("weight " + weightName + ": " + storedDtype
                                + " quantization without scale and min");
                    }
                    double scale = JsLiteral.number(quant.get("scale"), "the scale of " + weightName);
                    double min = JsLiteral.number(quant.get("min"), "the min of " + weightName);
                    values = TfjsWeightDecoder.decode(bytes, (int) count, storedDtype, scale, min);
                }
                String shortName = weightName.substring(slash + 1) + ":0";
                Weight previous = weightsByLayer.computeIfAbsent(layer, k -> new LinkedHashMap<>())
                        .put(shortName, new Weight(shortName, shape, values));
                if (previous != null) throw new IllegalArgumentException("weight " + weightName + " listed twice");
            }
            if (bytes.remaining() != 0) {
                throw new IllegalArgumentException("weight shards " + group.get("paths") + " hold " + bytes.remaining()
                        + " bytes more than the manifest describes (shards of another model?)");
            }
        }
        return new TfjsLayersModel(source, List.copyOf(layerNames), layerClasses, kerasVersion, backend,
                weightsByLayer, storedDtypes);
    }

    private static List<Object> layerList(Map<String, Object> modelConfig) {
        Object config = modelConfig.get("config");
        if (config instanceof List) return JsLiteral.array(config, "the Sequential config"); // old Sequential format
        Map<String, Object> c = JsLiteral.object(config, "the model config");
        return JsLiteral.array(c.get("layers"), "the model's layers");
    }

    /**
     * The layer a weight belongs to, from the part of its name before the last '/': the layer name itself
     * ({@code Conv1}), or a scoped name ending in it ({@code model_1/Conv1}).
     */
    private static String owningLayer(String scope, Map<String, String> layers) {
        if (layers.containsKey(scope)) return scope;
        String[] parts = scope.split("/");
        for (int i = 1; i < parts.length; i++) {
            String tail = String.join("/", Arrays.asList(parts).subList(i, parts.length));
            if (layers.containsKey(tail)) return tail;
        }
        return null;
    }

    /** A weight group's shards, read in order and joined: the group's tensors are laid end to end across them. */
    static ByteBuffer concatenatedShards(List<Object> paths, ShardSource shards) throws IOException {
        List<byte[]> parts = new ArrayList<>();
        long total = 0;
        for (Object p : paths) {
            byte[] b = shards.read(JsLiteral.string(p, "a shard path"));
            parts.add(b);
            total += b.length;
        }
        if (total > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("weight group over 2 GB");
        ByteBuffer all = ByteBuffer.allocate((int) total);
        for (byte[] b : parts) all.put(b);
        return all.flip();
    }

    /** Every layer of the topology, in order. */
    public List<String> layerNames() {
        return layerNames;
    }

    /** The Keras class of a layer (Conv2D, BatchNormalization, ReLU …). */
    public String layerClass(String layerName) {
        return layerClasses.get(layerName);
    }

    /** How the weights were stored: e.g. {"float32 as uint8": 266}. */
    public Map<String, Integer> storedDtypeCounts() {
        return storedDtypeCounts;
    }

    public String source() {
        return source;
    }

    /** All layers as Keras weights. */
    public KerasWeights toKerasWeights() {
        return toKerasWeights(layerNames.get(layerNames.size() - 1));
    }

    /**
     * The layers up to and including {@code lastLayer}, as Keras weights (e.g. {@code out_relu}: MobileNetV2 without
     * its top).
     */
    public KerasWeights toKerasWeights(String lastLayer) {
        if (!layerClasses.containsKey(lastLayer)) {
            throw new IllegalArgumentException(source + ": the model has no layer named " + lastLayer);
        }
        KerasWeights out = new KerasWeights().withKerasVersion(kerasVersion).withBackend(backend).withSource(source);
        for (String layer : layerNames) {
            out.add(layer, kerasOrder(weightsByLayer.getOrDefault(layer, Map.of())));
            if (layer.equals(lastLayer)) break;
        }
        return out;
    }

    private static List<Weight> kerasOrder(Map<String, Weight> byName) {
        List<Weight> ordered = new ArrayList<>();
        for (String known : KERAS_WEIGHT_ORDER) {
            Weight w = byName.get(known + ":0");
            if (w != null) ordered.add(w);
        }
        for (Weight w : byName.values()) {
            if (!ordered.contains(w)) ordered.add(w);
        }
        return ordered;
    }
}
