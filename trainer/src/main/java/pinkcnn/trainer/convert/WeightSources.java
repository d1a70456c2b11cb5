package pinkcnn.trainer.convert;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import pinkcnn.engine.io.KerasWeights;
import pinkcnn.engine.io.WeightFileException;
import pinkcnn.trainer.UserError;

/**
 * Opens what {@code pinkcnn convert --from} names and reads it, whole, into Keras-layout weights:
 * <ul>
 *   <li>{@code npm:NAME@VERSION}: the npm package, fetched with npm pack into the cache ({@link NpmPackages});</li>
 *   <li>a package tarball ({@code .tgz}, {@code .tar.gz}) or a folder: the TF.js model in it;</li>
 *   <li>a {@code model.json}: that TF.js layers model and its shards;</li>
 *   <li>a Keras-layout {@code .h5}: read as is (to cut it, e.g. to drop a top).</li>
 * </ul>
 */
public final class WeightSources {

    private WeightSources() {}

    /** The weights of every layer of the source, and a line saying what was read. */
    public record Read(KerasWeights weights, String description) {}

    public static Read read(String from, String modelChoice, PrintWriter log) throws IOException {
        try {
            return readSource(from, modelChoice, log);
        } catch (UserError e) {
            throw e;
        } catch (RuntimeException | StackOverflowError e) {
            // A reader's own bug or an input nobody foresaw: still one line naming the source, not a stack trace.
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().replaceAll("\\s+", " ");
            throw new WeightFileException(from + ": cannot read (" + why + ")", e);
        }
    }

    private static Read readSource(String from, String modelChoice, PrintWriter log) throws IOException {
        if (from.startsWith("npm:")) {
            Path tgz = NpmPackages.fetch(from.substring(4), NpmPackages.cacheDir(), log);
            return fromPackage(ModelFiles.tarball(tgz), modelChoice, from + " (" + tgz + ")");
        }
        Path path = Paths.get(from);
        if (!Files.exists(path)) throw new UserError(from + ": no such file or folder");
        String lower = path.getFileName() == null ? "" : path.getFileName().toString().toLowerCase();
        if (Files.isDirectory(path)) return fromPackage(ModelFiles.folder(path), modelChoice, from);
        if (lower.endsWith(".tgz") || lower.endsWith(".tar.gz")) {
            return fromPackage(ModelFiles.tarball(path), modelChoice, from);
        }
        if (lower.endsWith(WeightsManifest.SUFFIX)) {
            return fromManifest(WeightsManifest.read(path), WeightsManifest.modelName(lower), from);
        }
        if (lower.endsWith(".json")) {
            TfjsLayersModel model = TfjsLayersModel.read(path);
            return new Read(model.toKerasWeights(), from + ": " + describe(model));
        }
        if (lower.endsWith(".h5") || lower.endsWith(".hdf5")) {
            KerasWeights w = KerasWeights.read(path);
            return new Read(w, from + ": Keras-layout HDF5 (Keras " + w.kerasVersion() + ")");
        }
        throw new UserError(from + ": not a source convert knows: give npm:NAME@VERSION, a package tarball (.tgz), "
                + "a folder, a TF.js model.json, or a Keras .h5");
    }

    private static Read fromPackage(ModelFiles files, String modelChoice, String name) throws IOException {
        // Packages such as face-api.js ship bare weights manifests (the topology is their JavaScript code).
        Map<String, String> manifests = WeightsManifest.find(files);
        String manifest = chooseManifest(manifests, modelChoice, files);
        if (manifest != null) {
            String model = WeightsManifest.modelName(manifest);
            return fromManifest(WeightsManifest.read(files, manifest, files.describe()), model,
                    name + ", model " + manifest);
        }
        TfjsPackage.Loaded loaded = TfjsPackage.load(files, modelChoice);
        String where = loaded.found().folder().isEmpty() ? "" : ", model " + loaded.found().folder();
        return new Read(loaded.model().toKerasWeights(), name + where + ": " + describe(loaded.model()));
    }

    /** Bare weights manifests whose network pinkcnn knows, by model name. */
    private static final List<String> KNOWN_MANIFESTS = List.of(SsdMobileNetV1Layout.MODEL);

    /**
     * The manifest to convert: the one {@code choice} names ("ssd_mobilenetv1" or "ssd_mobilenetv1_model"), else, in a
     * package without a layers model, the only one pinkcnn knows; null to look for a layers model instead.
     */
    private static String chooseManifest(Map<String, String> manifests, String choice, ModelFiles files) throws IOException {
        if (manifests.isEmpty()) return null;
        if (choice != null) {
            for (Map.Entry<String, String> e : manifests.entrySet()) {
                if (e.getKey().equals(choice) || e.getKey().equals(choice + "_model")) return e.getValue();
            }
            return null;
        }
        if (hasLayersModel(files)) return null;
        for (String known : KNOWN_MANIFESTS) if (manifests.containsKey(known)) return manifests.get(known);
        throw new UserError(files.describe() + " holds TF.js weights manifests (" + String.join(", ", manifests.keySet())
                + ") of networks pinkcnn does not know; it converts " + String.join(", ", KNOWN_MANIFESTS));
    }

    private static boolean hasLayersModel(ModelFiles files) throws IOException {
        try {
            TfjsPackage.choose(files, null);
            return true;
        } catch (UserError e) {
            return !e.getMessage().contains("no TF.js model in it");
        }
    }

    private static Read fromManifest(Map<String, WeightsManifest.Tensor> tensors, String model, String name) throws IOException {
        if (!KNOWN_MANIFESTS.contains(model)) {
            throw new UserError(name + ": a bare weights manifest of '" + model + "'; pinkcnn knows the network of "
                    + String.join(", ", KNOWN_MANIFESTS) + " only");
        }
        KerasWeights w;
        try {
            w = SsdMobileNetV1Layout.toKerasWeights(tensors, name);
        } catch (IllegalArgumentException e) {
            throw new pinkcnn.engine.io.WeightFileException(name + ": " + e.getMessage(), e);
        }
        Map<String, Integer> kinds = new java.util.TreeMap<>();
        for (WeightsManifest.Tensor t : tensors.values()) {
            kinds.merge(t.storedAs().equals(t.dtype()) ? t.dtype() : t.dtype() + " as " + t.storedAs(), 1, Integer::sum);
        }
        List<String> k = new ArrayList<>();
        kinds.forEach((kind, n) -> k.add(n + " " + kind));
        return new Read(w, name + ": TF.js weights manifest of " + SsdMobileNetV1Layout.DESCRIPTION + ", "
                + tensors.size() + " tensors stored as " + String.join(", ", k) + " (int32 graph constants left out)");
    }

    private static String describe(TfjsLayersModel model) {
        List<String> kinds = new ArrayList<>();
        for (Map.Entry<String, Integer> e : model.storedDtypeCounts().entrySet()) {
            kinds.add(e.getValue() + " " + e.getKey());
        }
        return "TF.js layers model, " + model.layerNames().size() + " layers, weights stored as "
                + (kinds.isEmpty() ? "none" : String.join(", ", kinds));
    }
}
