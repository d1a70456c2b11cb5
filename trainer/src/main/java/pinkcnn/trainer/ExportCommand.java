package pinkcnn.trainer;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import pinkcnn.engine.backend.Backend;
import pinkcnn.engine.cpu.CpuBackend;
import pinkcnn.engine.io.KerasWeights;
import pinkcnn.engine.nn.Graph;
import pinkcnn.trainer.export.OnnxBuilder;
import pinkcnn.trainer.export.OnnxExport;
import pinkcnn.trainer.export.ModelExport;
import pinkcnn.trainer.train.Backbones;
import pinkcnn.trainer.train.RunConfig;
import pinkcnn.trainer.train.RunFolder;

/**
 * {@code pinkcnn export}: a trained classifier, or a bare backbone, as an ONNX model (ONNX Runtime, anywhere) or as
 * Keras-layout weights (to rebuild and go on training in Keras). How to use the files: docs/export.md.
 */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = {"Export a trained run's whole classifier (backbone, head, softmax), or a bare backbone, as an ONNX "
                + "model or as Keras-layout weights. The photo's crop, resize and pixel scaling stay outside the model "
                + "and are described in its metadata with the class names (see docs/export.md).",
                "  pinkcnn export --run runs/faces --format onnx --out faces.onnx",
                "  pinkcnn export --run runs/faces --format keras --out faces.h5",
                "  pinkcnn export --weights weights.h5 --model mobilenetv2 --format onnx --out mnv2.onnx"})
public final class ExportCommand implements Callable<Integer> {

    /** Spelled as on the command line. */
    enum Format { onnx, keras }

    /** Backbone architectures a bare export can build. */
    enum Model { mobilenetv2 }

    @Option(names = "--run", paramLabel = "runs/NAME", description = "The trained run to export (its whole classifier).")
    Path run;

    @Option(names = "--weights", paramLabel = "FILE.h5",
            description = "Instead of a run: export a bare backbone with these weights (Keras layout).")
    Path weights;

    @Option(names = "--model", defaultValue = "mobilenetv2", paramLabel = "mobilenetv2",
            description = "The bare backbone's architecture. Default: ${DEFAULT-VALUE}.")
    Model model;

    @Option(names = "--alpha", defaultValue = "1.0", description = "The bare backbone's width multiplier. Default: ${DEFAULT-VALUE}.")
    double alpha;

    @Option(names = "--input-size", defaultValue = "224", paramLabel = "S",
            description = "The bare backbone's input size S (S×S×3). Default: ${DEFAULT-VALUE}.")
    int inputSize;

    @Option(names = "--layer", paramLabel = "LAYER",
            description = "The bare backbone's last exported layer. Default: its last (out_relu).")
    String layer;

    @Option(names = "--member", paramLabel = "K",
            description = "Export ensemble member K only (0: the run's own model). Default for ONNX: all members, averaged.")
    Integer member;

    @Option(names = "--format", required = true, paramLabel = "onnx|keras", description = "onnx or keras.")
    Format format;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "The file to write (replaced atomically).")
    Path out;

    @Override
    public Integer call() {
        if ((run == null) == (weights == null)) {
            throw new UserError("give --run RUN (a trained classifier) or --weights FILE.h5 (a bare backbone), one of them");
        }
        if (run != null && layer != null) throw new UserError("--layer goes with --weights (a run exports its whole classifier)");
        if (weights != null && member != null) throw new UserError("--member goes with --run");
        checkWritable(out);
        String what;
        try (Backend cpu = new CpuBackend(1)) { // loading and re-laying weights: no computing to speak of
            if (run != null) {
                RunFolder folder = RunFolder.existing(run);
                RunConfig cfg = folder.readConfig();
                if (format == Format.onnx) {
                    write(ModelExport.onnxClassifier(folder, cpu, member));
                } else {
                    write(ModelExport.kerasClassifier(folder, cpu, member));
                }
                what = "the classifier of " + run + " (MobileNetV2 up to " + cfg.cutLayer + ", head " + String.valueOf(cfg.head) + ", "
                        + cfg.classes.size() + " classes)";
            } else {
                Graph g = Backbones.pretrained(cpu, alpha, inputSize, weights);
                String last = layer == null ? g.lastLayer() : layer;
                if (!g.has(last)) throw new UserError("--layer " + last + ": MobileNetV2 has no such layer ('pinkcnn inspect --list' lists them)");
                if (format == Format.onnx) {
                    write(ModelExport.onnxBackbone(g, last, alpha));
                } else {
                    write(ModelExport.kerasBackbone(g, last, alpha));
                }
                what = "MobileNetV2 (alpha " + alpha + ", " + inputSize + "x" + inputSize + ") up to " + last + " from " + weights;
            }
        }
        String as = format == Format.onnx ? "ONNX, opset " + OnnxBuilder.OPSET + ", input NHWC float32 with a dynamic batch"
                : "Keras weights layout";
        System.out.printf(Locale.ROOT, "wrote %s (%s, %.1f MB): %s%n", out, as, size(out) / 1e6, what);
        return 0;
    }

    /** Fails before any work when the file cannot be written where asked. */
    private static void checkWritable(Path out) {
        if (Files.isDirectory(out)) throw new UserError(out + ": is a folder; --out names the file to write");
        Path dir = out.toAbsolutePath().getParent();
        if (dir != null && Files.exists(dir) && !Files.isDirectory(dir)) throw new UserError("cannot write " + out + ": " + dir + " is a file, not a folder");
        if (dir == null || !Files.isDirectory(dir)) throw new UserError("cannot write " + out + ": the folder " + dir + " does not exist");
    }

    private void write(byte[] onnx) {
        try {
            OnnxExport.write(out, onnx);
        } catch (IOException e) {
            throw new UserError("cannot write " + out + ": " + reason(e));
        }
    }

    private void write(KerasWeights keras) {
        try {
            keras.write(out);
        } catch (IOException e) {
            throw new UserError("cannot write " + out + ": " + reason(e));
        }
    }

    private static String reason(IOException e) {
        if (e instanceof AccessDeniedException) return "permission denied";
        if (e instanceof FileSystemException f && f.getReason() != null) return f.getReason();
        return String.valueOf(e.getMessage()).replace('\n', ' ');
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0;
        }
    }
}
