package pinkcnn.trainer.convert;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import pinkcnn.engine.io.Weight;
import pinkcnn.engine.io.WeightFileException;
import pinkcnn.trainer.UserError;

/**
 * A bare TF.js weights manifest: {@code NAME-weights_manifest.json}, a JSON array of groups {@code {paths, weights}},
 * and the binary shards it names, without any topology. face-api.js ships its networks this way (its JavaScript code
 * is the topology), e.g. {@code model/ssd_mobilenetv1_model-weights_manifest.json} and
 * {@code ssd_mobilenetv1_model.bin}. Reading gives every tensor by its TensorFlow name, dequantized as TF.js does;
 * mapping the names onto layers is the job of a layout that knows the network ({@link SsdMobileNetV1Layout}).
 */
final class WeightsManifest {

    static final String SUFFIX = "-weights_manifest.json";
    private static final Pattern FILE = Pattern.compile("(^|.*/)([^/]+)" + Pattern.quote(SUFFIX));

    /** One tensor of the manifest: its values as float32 (integer constants too), and how it was stored. */
    record Tensor(String name, int[] shape, String dtype, String storedAs, float[] values) {}

    private WeightsManifest() {}

    /** The model name of a manifest file ("ssd_mobilenetv1_model"), or null when the name is not a manifest's. */
    static String modelName(String file) {
        Matcher m = FILE.matcher(file);
        return m.matches() ? m.group(2) : null;
    }

    /** The manifests of a package (outside node_modules), by model name, in name order. */
    static Map<String, String> find(ModelFiles files) throws IOException {
        Map<String, String> out = new java.util.TreeMap<>();
        for (String n : files.names()) {
            String model = modelName(n);
            if (model != null && !n.contains("node_modules/")) out.putIfAbsent(model, n);
        }
        return out;
    }

    /** Reads the manifest file {@code manifest} of a package and its shards (paths relative to the manifest). */
    static Map<String, Tensor> read(ModelFiles files, String manifest, String where) throws IOException {
        int slash = manifest.lastIndexOf('/');
        String prefix = slash < 0 ? "" : manifest.substring(0, slash + 1);
        Map<String, byte[]> folder = files.read(n -> n.startsWith(prefix) && n.indexOf('/', prefix.length()) < 0);
        return parse(folder.get(manifest), manifest, path -> {
            byte[] b = folder.get(prefix + path);
            if (b == null) throw new WeightFileException(where + ": weight shard " + prefix + path + " is missing");
            return b;
        }, where);
    }

    /** Reads a manifest file on disk and the shards beside it. */
    static Map<String, Tensor> read(Path manifest) throws IOException {
        String name = manifest.toString();
        if (!Files.isRegularFile(manifest)) throw new UserError(name + ": no such file");
        Path dir = manifest.toAbsolutePath().getParent();
        return parse(Files.readAllBytes(manifest), name, path -> {
            Path shard = dir.resolve(path);
            if (!Files.isRegularFile(shard)) {
                throw new WeightFileException(name + ": weight shard " + path + " is missing (expected at " + shard + ")");
            }
            return Files.readAllBytes(shard);
        }, name);
    }

    private static Map<String, Tensor> parse(byte[] json, String file, TfjsLayersModel.ShardSource shards, String where)
            throws IOException {
        Object root;
        try {
            root = JsLiteral.parse(new String(json, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            throw new WeightFileException(where + ": " + file + " is not JSON: " + e.getMessage(), e);
        }
        try {
            return tensors(root, shards);
        } catch (IllegalArgumentException e) {
            throw new WeightFileException(where + ": " + file + ": " + e.getMessage(), e);
        }
    }

    private static Map<String, Tensor> tensors(Object root, TfjsLayersModel.ShardSource shards) throws IOException {
        if (!(root instanceof List)) {
            throw new IllegalArgumentException("not a weights manifest (a JSON array of {paths, weights} groups)");
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Object g : JsLiteral.array(root, "the manifest")) {
            Map<String, Object> group = JsLiteral.object(g, "a manifest group");
            List<Object> paths = JsLiteral.array(group.get("paths"), "a group's paths");
            ByteBuffer bytes = TfjsLayersModel.concatenatedShards(paths, shards);
            for (Object w : JsLiteral.array(group.get("weights"), "a group's weights")) {
                Map<String, Object> spec = JsLiteral.object(w, "a weight entry");
                String name = JsLiteral.string(spec.get("name"), "a weight's name");
                int[] shape = JsLiteral.intArray(spec.get("shape"), "the shape of " + name);
                String dtype = spec.get("dtype") == null ? "float32" : JsLiteral.string(spec.get("dtype"), "the dtype of " + name);
                Map<String, Object> quant = spec.get("quantization") == null ? null
                        : JsLiteral.object(spec.get("quantization"), "the quantization of " + name);
                String stored = quant == null ? dtype : JsLiteral.string(quant.get("dtype"), "the quantization dtype of " + name);
                long count = Weight.elementCount(shape);
                long byteCount = count * TfjsWeightDecoder.bytesPerValue(stored);
                if (bytes.remaining() < byteCount) {
                    throw new IllegalArgumentException("weight shards too short: " + name + " needs " + byteCount
                            + " more bytes, " + bytes.remaining() + " are left (a truncated shard?)");
                }
                float[] values;
                if (quant == null) {
                    values = dtype.equals("int32") ? ints(bytes, (int) count) : TfjsWeightDecoder.decode(bytes, (int) count, null, 0, 0);
                } else if (stored.equals("float16")) {
                    values = TfjsWeightDecoder.decode(bytes, (int) count, stored, 0, 0);
                } else {
                    if (!quant.containsKey("scale") || !quant.containsKey("min")) {
                        throw new IllegalArgumentException("weight " + name + ": " + stored + " quantization without scale and min");
                    }
                    values = TfjsWeightDecoder.decode(bytes, (int) count, stored,
                            JsLiteral.number(quant.get("scale"), "the scale of " + name),
                            JsLiteral.number(quant.get("min"), "the min of " + name));
                }
                if (out.put(name, new Tensor(name, shape, dtype, stored, values)) != null) {
                    throw new IllegalArgumentException("weight " + name + " listed twice");
                }
            }
            if (bytes.remaining() != 0) {
                throw new IllegalArgumentException("weight shards " + paths + " hold " + bytes.remaining()
                        + " bytes more than the manifest describes (shards of another model?)");
            }
        }
        return out;
    }

    private static float[] ints(ByteBuffer bytes, int count) {
        ByteBuffer b = bytes.slice().order(java.nio.ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[count];
        for (int i = 0; i < count; i++) out[i] = b.getInt(4 * i);
        bytes.position(bytes.position() + 4 * count);
        return out;
    }
}
