package pinkcnn.trainer;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import javax.imageio.ImageIO;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import pinkcnn.engine.Autograd;
import pinkcnn.engine.Tensor;
import pinkcnn.engine.TensorScope;
import pinkcnn.engine.backend.Backend;
import pinkcnn.engine.io.AtomicFiles;
import pinkcnn.engine.io.Npy;
import pinkcnn.engine.nn.Graph;
import pinkcnn.trainer.data.Preprocessing;
import pinkcnn.trainer.data.UnusableImageException;
import pinkcnn.trainer.report.ColourMap;
import pinkcnn.trainer.train.Backbones;
import pinkcnn.trainer.train.FeatureExtractor;

/** {@code pinkcnn inspect}: one layer's activation for one input (as .npy, statistics and a PNG grid), or the layer list. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = {"Write a MobileNetV2 layer's activation for one input as a float32 .npy (NHWC with the batch axis) "
                + "and print its shape and statistics; optionally a PNG grid of its feature maps.",
                "With --list, print every layer with its output shape and parameter count."})
public final class InspectCommand implements Callable<Integer> {
    @Mixin DeviceOption device;

    @Option(names = "--weights", required = true, paramLabel = "FILE.h5", description = "Keras-layout MobileNetV2 weights.")
    Path weights;

    @Option(names = "--alpha", defaultValue = "1.0", description = "Width multiplier. Default: ${DEFAULT-VALUE}.")
    double alpha;

    @Option(names = "--size", defaultValue = "224", description = "Input size. Default: ${DEFAULT-VALUE}.")
    int size;

    @Option(names = "--list", description = "Print the layers (name, type, output shape, parameters) and exit.")
    boolean list;

    @Option(names = "--layer", paramLabel = "NAME", description = "The layer to read, e.g. block_1_depthwise_relu.")
    String layer;

    @Option(names = "--input", paramLabel = "IMAGE|FILE.npy",
            description = "A photo (RGB, resized to the model size, scaled to x/127.5 − 1) or a 1×S×S×3 float32 .npy used as is.")
    Path input;

    @Option(names = "--out", paramLabel = "OUT.npy", description = "Where to write the activation.")
    Path out;

    @Option(names = "--png", paramLabel = "GRID.png", description = "Also draw the feature maps as a grid.")
    Path png;

    /** Input sides MobileNetV2 takes here: at least one pixel after its five stride-2 steps, and a bounded memory. */
    static final int MIN_SIZE = 32, MAX_SIZE = 4096;

    @Override
    public Integer call() throws Exception {
        if (size < MIN_SIZE || size > MAX_SIZE) {
            throw new UserError("--size must be " + MIN_SIZE + " … " + MAX_SIZE + " pixels, not " + size);
        }
        float[] x = null;
        if (!list) {
            // Everything the user gave is checked before the model is built and run.
            if (layer == null || input == null || out == null) throw new UserError("give --layer, --input and --out (or --list)");
            checkOutput("--out", out);
            if (png != null) {
                checkOutput("--png", png);
                if (png.toAbsolutePath().normalize().equals(out.toAbsolutePath().normalize())) {
                    throw new UserError("--out and --png are the same file: " + out);
                }
            }
            x = input();
        }
        try (Backend backend = device.open()) {
            Graph g = Backbones.pretrained(backend, alpha, size, weights);
            if (list) {
                LayerListing.print(System.out, g, g.nodes().size() - 1, null, "");
                return 0;
            }
            if (!g.has(layer)) {
                throw LayerListing.unknown(layer, LayerListing.names(g, g.nodes().size() - 1), "pinkcnn inspect --weights " + weights + " --list");
            }
            try (TensorScope scope = TensorScope.open(); Autograd.AutoCloseableNoThrow ng = Autograd.noGrad()) {
                Map<String, Tensor> acts = g.run(Map.of(Graph.INPUT, Tensor.of(backend, x, 1, size, size, 3)), 0,
                        g.position(layer), Set.of(layer));
                Tensor y = acts.get(layer);
                float[] v = y.toArray();
                // The activation and its picture appear together or not at all.
                try (AtomicFiles.Group files = new AtomicFiles.Group()) {
                    files.write(out, Npy.content(y.shape(), v));
                    if (png != null && y.rank() == 4) files.write(png, grid(v, y.dim(1), y.dim(2), y.dim(3)));
                    files.commit();
                }
                double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY, sum = 0;
                for (float f : v) {
                    min = Math.min(min, f);
                    max = Math.max(max, f);
                    sum += f;
                }
                System.out.printf("%s %s: min %.6g max %.6g mean %.6g sum %.6g -> %s%n", layer,
                        java.util.Arrays.toString(y.shape()), min, max, sum / v.length, sum, out);
                if (png != null && y.rank() == 4) System.out.println("feature maps: " + png);
            }
        }
        return 0;
    }

    private static void checkOutput(String option, Path file) {
        try {
            AtomicFiles.checkWritable(file);
        } catch (IOException e) {
            throw new UserError(option + " " + (e instanceof java.nio.file.FileSystemException f ? Failures.describe(f) : e.getMessage()));
        }
    }

    private float[] input() throws IOException {
        if (!Files.isRegularFile(input)) throw new UserError(input + ": no such file");
        if (input.toString().endsWith(".npy")) {
            Npy.Array a;
            try {
                a = Npy.read(input);
            } catch (IOException e) {
                throw new UserError(e.getMessage()); // names the file and what is wrong with it
            }
            if (a.data().length != size * size * 3) {
                throw new UserError(input + ": shape " + java.util.Arrays.toString(a.shape()) + ", expected 1×" + size + "×" + size + "×3");
            }
            return a.data();
        }
        try {
            byte[] rgb = new Preprocessing(size, Preprocessing.Crop.NONE, 1.0).load(input);
            float[] x = new float[rgb.length];
            for (int i = 0; i < x.length; i++) x[i] = (rgb[i] & 0xFF) * FeatureExtractor.PIXEL_SCALE + FeatureExtractor.PIXEL_OFFSET;
            return x;
        } catch (UnusableImageException e) {
            throw new UserError(input + ": " + e.getMessage());
        }
    }

    /** The feature maps as PNG bytes: each channel a tile (min–max scaled, viridis), tiles in a near-square grid. */
    static AtomicFiles.Content grid(float[] v, int h, int w, int c) {
        int cols = (int) Math.ceil(Math.sqrt(c)), rows = (c + cols - 1) / cols, scale = Math.max(1, 64 / Math.max(h, w)), pad = 2;
        int tw = w * scale, th = h * scale;
        BufferedImage img = new BufferedImage(cols * (tw + pad) + pad, rows * (th + pad) + pad, BufferedImage.TYPE_INT_RGB);
        Graphics2D gr = img.createGraphics();
        gr.setColor(new Color(40, 40, 48));
        gr.fillRect(0, 0, img.getWidth(), img.getHeight());
        gr.dispose();
        for (int ch = 0; ch < c; ch++) {
            float lo = Float.POSITIVE_INFINITY, hi = Float.NEGATIVE_INFINITY;
            for (int p = 0; p < h * w; p++) {
                lo = Math.min(lo, v[p * c + ch]);
                hi = Math.max(hi, v[p * c + ch]);
            }
            int x0 = pad + (ch % cols) * (tw + pad), y0 = pad + (ch / cols) * (th + pad);
            for (int y = 0; y < th; y++)
                for (int x = 0; x < tw; x++) {
                    float f = v[((y / scale) * w + x / scale) * c + ch];
                    img.setRGB(x0 + x, y0 + y, ColourMap.VIRIDIS.rgb(hi > lo ? (f - lo) / (hi - lo) : 0));
                }
        }
        return out -> {
            if (!ImageIO.write(img, "png", out)) throw new IOException("no PNG writer in this Java");
        };
    }
}
