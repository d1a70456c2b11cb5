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

    @Override
    public Integer call() throws Exception {
        if (!list && (layer == null || input == null || out == null)) throw new UserError("give --layer, --input and --out (or --list)");
        float[] x = list ? null : input();   // before the model is built: a bad input costs nothing
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
                Npy.write(out, y.shape(), v);
                double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY, sum = 0;
                for (float f : v) {
                    min = Math.min(min, f);
                    max = Math.max(max, f);
                    sum += f;
                }
                System.out.printf("%s %s: min %.6g max %.6g mean %.6g sum %.6g -> %s%n", layer,
                        java.util.Arrays.toString(y.shape()), min, max, sum / v.length, sum, out);
                if (png != null && y.rank() == 4) {
                    writeGrid(v, y.dim(1), y.dim(2), y.dim(3), png);
                    System.out.println("feature maps: " + png);
                }
            }
        }
        return 0;
    }

    private float[] input() throws IOException {
        if (!Files.isRegularFile(input)) throw new UserError(input + ": no such file");
        if (input.toString().endsWith(".npy")) {
            Npy.Array a;
            try {
                a = Npy.read(input);
            } catch (IOException e) {
                throw new UserError(e.getMessage());  // names the file and the problem
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

    /** Each channel as a tile (min–max scaled, in the viridis colour map), tiles in a near-square grid. */
    static void writeGrid(float[] v, int h, int w, int c, Path png) throws IOException {
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
        AtomicFiles.write(png, out -> ImageIO.write(img, "png", out));
    }
}
