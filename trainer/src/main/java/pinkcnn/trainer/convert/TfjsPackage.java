package pinkcnn.trainer.convert;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import pinkcnn.engine.io.WeightFileException;
import pinkcnn.trainer.UserError;

/**
 * Finds a TF.js layers model in a package (a folder or an npm tarball) and reads it. A model is a {@code model.json}
 * with its binary shards, or, as bundler-friendly packages such as nsfwjs ship them, the same data wrapped in
 * JavaScript modules: {@code model.min.js} exporting the model.json object and {@code group1-shard1of1.min.js}
 * exporting each shard as a base64 string.
 */
final class TfjsPackage {

    /** The model taken when a package holds several and none is chosen: nsfwjs' Keras MobileNetV2. */
    static final String DEFAULT_MODEL = "mobilenet_v2";

    private static final Pattern MODEL_FILE = Pattern.compile("(^|.*/)model(\\.min)?\\.(json|js)");

    /** A model file of the package and the folder it is in ("" at the top). */
    record Found(String folder, String modelFile) {
        String folderName() {
            return folder.isEmpty() ? "." : folder.substring(folder.lastIndexOf('/') + 1);
        }
    }

    private TfjsPackage() {}

    /**
     * Reads the model {@code choice} names (its folder name, e.g. "mobilenet_v2"), or the only model, or
     * {@value #DEFAULT_MODEL} when there are several.
     */
    static Loaded load(ModelFiles files, String choice) throws IOException {
        Found found = choose(files, choice);
        String prefix = found.folder.isEmpty() ? "" : found.folder + "/";
        Map<String, byte[]> folder = files.read(n -> n.startsWith(prefix) && n.indexOf('/', prefix.length()) < 0);
        String where = files.describe() + (found.folder.isEmpty() ? "" : " (" + found.folder + ")");
        Object modelJson = parseModel(found.modelFile, folder.get(found.modelFile), where);
        TfjsLayersModel model = TfjsLayersModel.fromJson(modelJson, path -> shard(folder, prefix, path, where), where);
        return new Loaded(model, found);
    }

    /** A model read from a package, and where in the package it was. */
    record Loaded(TfjsLayersModel model, Found found) {}

    static Found choose(ModelFiles files, String choice) throws IOException {
        // Prefer model.json over model.min.js over model.js in one folder.
        TreeMap<String, String> byFolder = new TreeMap<>();
        for (String name : files.names()) {
            if (!MODEL_FILE.matcher(name).matches() || name.contains("node_modules/")) continue;
            int slash = name.lastIndexOf('/');
            String folder = slash < 0 ? "" : name.substring(0, slash);
            String current = byFolder.get(folder);
            if (current == null || rank(name) < rank(current)) byFolder.put(folder, name);
        }
        if (byFolder.isEmpty()) {
            throw new UserError(files.describe() + ": no TF.js model in it (looked for model.json, model.min.js, model.js)");
        }
        List<Found> models = new ArrayList<>();
        byFolder.forEach((folder, file) -> models.add(new Found(folder, file)));
        if (choice != null) {
            for (Found f : models) if (f.folderName().equals(choice) || f.folder.equals(choice)) return f;
            throw new UserError(files.describe() + ": no model '" + choice + "'; it holds " + folderNames(models));
        }
        if (models.size() == 1) return models.get(0);
        for (Found f : models) if (f.folderName().equals(DEFAULT_MODEL)) return f;
        throw new UserError(files.describe() + " holds " + models.size() + " models (" + folderNames(models)
                + "); choose one with --model NAME");
    }

    private static int rank(String name) {
        return name.endsWith(".json") ? 0 : name.endsWith(".min.js") ? 1 : 2;
    }

    private static String folderNames(List<Found> models) {
        List<String> names = new ArrayList<>();
        for (Found f : models) names.add(f.folderName());
        return String.join(", ", names);
    }

    private static Object parseModel(String name, byte[] bytes, String where) throws WeightFileException {
        String text = new String(bytes, StandardCharsets.UTF_8);
        try {
            if (name.endsWith(".json")) return JsLiteral.parse(text);
        } catch (IllegalArgumentException e) {
            throw new WeightFileException(where + ": " + name + " is not JSON: " + e.getMessage(), e);
        }
        Object value = JsModules.exportedValue(text, v -> v instanceof Map && ((Map<?, ?>) v).containsKey("modelTopology"));
        if (value == null) {
            throw new WeightFileException(where + ": " + name + " exports no TF.js model (no object with modelTopology)");
        }
        return value;
    }

    /** A shard named {@code path} in the manifest: a binary file, or a JS module exporting it as base64. */
    private static byte[] shard(Map<String, byte[]> folder, String prefix, String path, String where)
            throws WeightFileException {
        for (String suffix : new String[] {"", ".bin"}) {
            byte[] b = folder.get(prefix + path + suffix);
            if (b != null) return b;
        }
        for (String suffix : new String[] {".min.js", ".js"}) {
            byte[] b = folder.get(prefix + path + suffix);
            if (b == null) continue;
            Object value = JsModules.exportedValue(new String(b, StandardCharsets.ISO_8859_1), v -> v instanceof String);
            if (value == null) throw new WeightFileException(where + ": " + path + suffix + " exports no base64 string");
            try {
                return Base64.getDecoder().decode((String) value);
            } catch (IllegalArgumentException e) {
                throw new WeightFileException(where + ": " + path + suffix + " is not base64: " + e.getMessage(), e);
            }
        }
        throw new WeightFileException(where + ": weight shard " + path + " is missing");
    }
}
