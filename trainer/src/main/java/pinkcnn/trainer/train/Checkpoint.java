package pinkcnn.trainer.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import pinkcnn.engine.Tensor;
import pinkcnn.engine.io.AtomicFiles;
import pinkcnn.engine.io.DiskFullException;
import pinkcnn.engine.io.KerasWeights;
import pinkcnn.engine.io.Weight;
import pinkcnn.engine.io.WeightFileException;
import pinkcnn.engine.nn.Parameter;
import pinkcnn.engine.optim.Adam;
import pinkcnn.engine.optim.Optimizer;
import pinkcnn.trainer.UserError;

/**
 * The state after a finished epoch, enough to continue as if never interrupted: the model, the best epoch's model,
 * the optimizer's per-parameter state and step count, and the epoch numbers. Written to a temporary folder and
 * renamed into place, so an interrupted write leaves the previous checkpoint intact.
 */
public final class Checkpoint {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Counters saved beside the weights. */
    public record State(int epoch, int steps, int bestEpoch, double bestDevAccuracy, double bestDevLoss) {}

    /** What a checkpoint gives back beside the restored model and optimizer: its counters and the best epoch's weights. */
    public record Restored(State state, Map<String, List<Weight>> bestWeights, Path folder) {}

    private Checkpoint() {}

    public static void write(Path dir, Classifier model, Map<String, List<Weight>> best, Optimizer optimizer, State state)
            throws IOException {
        try {
            writeAside(dir, model, best, optimizer, state);
        } catch (IOException | RuntimeException e) {
            DiskFullException full = AtomicFiles.diskFull(dir, e);
            if (full != null) throw full;
            throw e;
        }
    }

    private static void writeAside(Path dir, Classifier model, Map<String, List<Weight>> best, Optimizer optimizer,
                                   State state) throws IOException {
        Path tmp = dir.resolveSibling(dir.getFileName() + ".tmp");
        deleteTree(tmp);
        Files.createDirectories(tmp);
        model.modelWeights().write(tmp.resolve("model.h5"));
        KerasWeights bestWeights = new KerasWeights();
        for (Map.Entry<String, List<Weight>> e : best.entrySet()) bestWeights.add(e.getKey(), e.getValue());
        bestWeights.write(tmp.resolve("best.h5"));
        if (optimizer instanceof Adam adam) {
            moments(model, adam, 0).write(tmp.resolve("adam_m.h5"));
            moments(model, adam, 1).write(tmp.resolve("adam_v.h5"));
        }
        JSON.writeValue(tmp.resolve("state.json").toFile(), state);
        Path old = dir.resolveSibling(dir.getFileName() + ".old");
        if (Files.exists(dir)) {
            deleteTree(old);
            Files.move(dir, old, StandardCopyOption.ATOMIC_MOVE);
        } // else .old may be the only complete checkpoint (a write stopped between the renames): replaced below
        Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
        deleteTree(old);
    }

    /**
     * Restores the model and the optimizer in place, and returns the saved counters with the best epoch's weights. A
     * damaged checkpoint is refused.
     */
    public static Restored read(Path dir, Classifier model, Optimizer optimizer) {
        dir = complete(dir);
        try {
            State state = JSON.readValue(dir.resolve("state.json").toFile(), State.class);
            KerasWeights weights = KerasWeights.read(dir.resolve("model.h5"));
            KerasWeights best = KerasWeights.read(dir.resolve("best.h5"));
            KerasWeights m = null, v = null;
            if (optimizer instanceof Adam) {
                m = KerasWeights.read(dir.resolve("adam_m.h5"));
                v = KerasWeights.read(dir.resolve("adam_v.h5"));
            }
            model.load(weights);
            if (optimizer instanceof Adam adam) restoreMoments(model, adam, m, v);
            optimizer.setSteps(state.steps());
            model.setDropoutCalls(state.steps());
            return new Restored(state, new java.util.HashMap<>(best.layers()), dir);
        } catch (WeightFileException e) {
            throw new UserError("corrupt checkpoint in " + dir + ": " + e.getMessage() + " (delete the run folder to start over)");
        } catch (IOException | RuntimeException e) {
            if (e instanceof UserError u) throw u;
            throw new UserError("corrupt checkpoint in " + dir + ": " + e.getMessage() + " (delete the run folder to start over)");
        }
    }

    /** The counters of the newest complete checkpoint in {@code dir} (see {@link #complete}), or a clear error. */
    public static State state(Path dir) {
        Path at = complete(dir);
        try {
            return JSON.readValue(at.resolve("state.json").toFile(), State.class);
        } catch (IOException e) {
            throw new UserError("corrupt checkpoint in " + at + ": " + e.getMessage() + " (delete the run folder to start over)");
        }
    }

    /**
     * The folder of the newest complete checkpoint: {@code dir}, or {@code dir.old} when {@link #write} was stopped
     * between its two renames (then only {@code .old}, complete, and {@code .tmp} exist); a clear error when there
     * is none.
     */
    static Path complete(Path dir) {
        if (Files.isRegularFile(dir.resolve("state.json"))) return dir;
        Path old = dir.resolveSibling(dir.getFileName() + ".old");
        if (!Files.exists(dir) && Files.isRegularFile(old.resolve("state.json"))) return old;
        throw new UserError(dir + ": no checkpoint to resume from (state.json missing)");
    }

    /** Adam's first (k=0) or second (k=1) moments, one "layer" per trainable parameter index. */
    private static KerasWeights moments(Classifier model, Adam adam, int k) {
        KerasWeights out = new KerasWeights();
        List<Parameter> ps = model.trainableWeights();
        for (int i = 0; i < ps.size(); i++) {
            Tensor[] mv = adam.moments(ps.get(i));
            float[] data = mv == null ? new float[Math.toIntExact(ps.get(i).value().size())] : mv[k].toArray();
            out.add("p" + i, List.of(new Weight("value:0", ps.get(i).shape(), data)));
        }
        return out;
    }

    private static void restoreMoments(Classifier model, Adam adam, KerasWeights m, KerasWeights v) {
        List<Parameter> ps = model.trainableWeights();
        for (int i = 0; i < ps.size(); i++) {
            adam.setMoments(ps.get(i), m.weight("p" + i, "value:0").data(), v.weight("p" + i, "value:0").data());
        }
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (Stream<Path> s = Files.walk(p)) {
            List<Path> all = new ArrayList<>(s.sorted(Comparator.reverseOrder()).toList());
            for (Path x : all) Files.delete(x);
        }
    }
}
