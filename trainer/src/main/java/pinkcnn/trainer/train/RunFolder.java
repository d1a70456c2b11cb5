package pinkcnn.trainer.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import pinkcnn.trainer.UserError;

/**
 * The files of one training run. A run folder is self-contained: {@code evaluate} and {@code predict} need nothing
 * else.
 * <pre>
 *   run.json        the configuration: data, classes, preprocessing, cut, head, optimiser…
 *   model.h5        the trained model (backbone up to the cut + head), Keras layout, best dev epoch
 *   metrics.csv     one row per epoch
 *   report.json/.md accuracy, macro-F1, per-class precision/recall, confusion matrices, baselines
 *   curves.png, confusion.png, errors.png (the misclassified test photos with their Grad-CAM)
 *   checkpoint/     the last finished epoch (model, optimiser moments, state), for --resume
 *   members/member-K/  with --ensemble N: the other N−1 models, each a run folder of its own (seed + K)
 * </pre>
 */
public record RunFolder(Path dir) {
    public Path config() { return dir.resolve("run.json"); }

    public Path model() { return dir.resolve("model.h5"); }

    public Path metrics() { return dir.resolve("metrics.csv"); }

    public Path curves() { return dir.resolve("curves.png"); }

    public Path confusion() { return dir.resolve("confusion.png"); }

    public Path checkpoint() { return dir.resolve("checkpoint"); }

    /** Written when a member of an ensemble has finished training (so --resume skips it). */
    public Path finished() { return dir.resolve("finished"); }

    /** Member k (1 … ensemble − 1) of this run's ensemble; member 0 is this run itself. */
    public RunFolder member(int k) {
        return k == 0 ? this : new RunFolder(dir.resolve("members").resolve("member-" + k));
    }

    /** An existing run (run.json and model.h5 present), or a clear error. */
    public static RunFolder existing(Path dir) {
        RunFolder r = new RunFolder(dir);
        if (!Files.isRegularFile(r.config())) throw new UserError(dir + ": not a run folder (no run.json); train one with 'pinkcnn train'");
        if (!Files.isRegularFile(r.model())) throw new UserError(dir + ": the run has no model.h5 yet (did training finish an epoch?)");
        return r;
    }

    /** The configuration of an existing run in dir, or a clear error. */
    public static RunConfig existingConfig(Path dir) {
        RunFolder r = new RunFolder(dir);
        if (!Files.isRegularFile(r.config())) throw new UserError(dir + ": nothing to resume (no run.json)");
        return r.readConfig();
    }

    public RunConfig readConfig() {
        try {
            return RunConfig.read(config());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            // Jackson's own message runs over several lines (the source and a location); keep one.
            String where = e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")";
            throw new UserError(config() + ": unreadable run configuration" + where + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new UserError(config() + ": unreadable run configuration: " + e.getMessage());
        }
    }
}
