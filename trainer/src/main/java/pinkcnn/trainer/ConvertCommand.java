package pinkcnn.trainer;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import pinkcnn.engine.io.KerasWeights;
import pinkcnn.engine.io.Weight;
import pinkcnn.trainer.convert.WeightSources;

/**
 * {@code pinkcnn convert --from SRC --out FILE.h5}: pretrained weights from another format into the Keras-layout HDF5
 * file that pinkcnn (and Keras' load_weights) reads.
 */
@Command(name = "convert",
        description = {
            "Convert pretrained weights into a Keras-layout HDF5 weights file (the layout of Keras save_weights).",
            "SRC: npm:NAME@VERSION (fetched with npm pack into the cache, e.g. npm:nsfwjs@4.4.0), an npm package "
                    + "tarball (.tgz) or folder holding a TF.js layers model, a TF.js model.json (float32, uint8, "
                    + "uint16 or float16 weights), or a Keras .h5.",
            "By default the layers up to out_relu are kept when the model has that layer (MobileNetV2 without its "
                    + "top); --until all keeps every layer."},
        mixinStandardHelpOptions = true)
public final class ConvertCommand implements Callable<Integer> {

    /** The last layer of Keras' MobileNetV2 without its top (include_top=False). */
    static final String BACKBONE_END = "out_relu";

    @Spec
    CommandSpec spec;

    @Option(names = "--from", required = true, paramLabel = "SRC", description = "What to convert (see above).")
    String from;

    @Option(names = "--out", required = true, paramLabel = "FILE.h5", description = "The weights file to write.")
    Path out;

    @Option(names = "--force", description = "Overwrite FILE.h5 if it exists.")
    boolean force;

    @Option(names = "--model", paramLabel = "NAME",
            description = "Which model of a package holding several (its folder name; default: the only one, "
                    + "else mobilenet_v2).")
    String model;

    @Option(names = "--until", paramLabel = "LAYER",
            description = "Keep the layers up to and including LAYER; 'all' keeps every layer. Default: out_relu "
                    + "when the model has it, else all.")
    String until;

    @Override
    public Integer call() throws IOException {
        convert(from, model, until, out, force, spec.commandLine().getOut(), spec.commandLine().getErr());
        return 0;
    }

    /**
     * Converts {@code from} into {@code out}, as {@code pinkcnn convert} does with these options ({@code model} and
     * {@code until} null when not given); user-fixable failures are {@link UserError}s.
     */
    static void convert(String from, String model, String until, Path out, boolean force, PrintWriter stdout,
                        PrintWriter stderr) throws IOException {
        // Refuse before reading anything, so a mistake costs nothing and nothing is overwritten.
        if (Files.exists(out) && !force) {
            throw new UserError(out + " exists; add --force to overwrite it");
        }
        if (Files.isDirectory(out)) throw new UserError(out + " is a folder; give a file name such as weights.h5");
        Path folder = out.toAbsolutePath().getParent();
        if (folder == null || !Files.isDirectory(folder)) {
            throw new UserError(out + ": the folder " + folder + " does not exist");
        }

        WeightSources.Read read;
        try {
            read = WeightSources.read(from, model, stderr);
        } catch (IOException e) { // unreadable or malformed input: WeightFileException and plain I/O errors
            throw new UserError(e.getMessage(), e);
        }
        KerasWeights all = read.weights();
        String last = until != null ? until : all.hasLayer(BACKBONE_END) ? BACKBONE_END : null;
        KerasWeights kept;
        if (last == null || last.equals("all")) {
            kept = all;
        } else if (all.hasLayer(last)) {
            kept = all.upTo(last);
        } else {
            throw new UserError(from + " has no layer named '" + last + "' (its last layer is "
                    + lastOf(all.layerNames()) + "); give --until LAYER or --until all");
        }

        try {
            kept.write(out);
        } catch (IOException e) {
            throw new UserError("cannot write " + out + ": " + e.getMessage(), e);
        }
        long bytes = Files.size(out);

        stdout.println("read   " + read.description());
        List<String> names = kept.layerNames();
        String keptLine = "kept   " + names.size() + " of " + all.layerNames().size() + " layers: " + names.get(0)
                + " … " + lastOf(names);
        if (kept != all) keptLine += " (--until all keeps the rest)";
        stdout.println(keptLine);
        stdout.printf(Locale.ROOT, "wrote  %s: %d layers (%d with weights), %d weights, %,d parameters, %.1f MB%n",
                out, names.size(), layersWithWeights(kept), kept.weightCount(), kept.parameterCount(), bytes / 1e6);
        stdout.flush();
    }

    private static int layersWithWeights(KerasWeights w) {
        int n = 0;
        for (List<Weight> ws : w.layers().values()) if (!ws.isEmpty()) n++;
        return n;
    }

    private static String lastOf(List<String> names) {
        return names.get(names.size() - 1);
    }
}
