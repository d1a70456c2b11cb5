package pinkcnn.trainer.face;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import pinkcnn.engine.Autograd;
import pinkcnn.engine.Tensor;
import pinkcnn.engine.TensorScope;
import pinkcnn.engine.backend.Backend;
import pinkcnn.engine.io.GraphWeights;
import pinkcnn.engine.io.KerasWeights;
import pinkcnn.engine.io.Weight;
import pinkcnn.engine.models.SsdMobileNetV1;
import pinkcnn.engine.nn.Graph;
import pinkcnn.trainer.UserError;
import pinkcnn.trainer.data.Resizer;
import pinkcnn.trainer.data.RgbImage;

/**
 * Finds faces with face-api.js' SSD MobileNetV1 ({@link SsdMobileNetV1}) on pinkcnn's engine, doing what face-api's
 * {@code SsdMobilenetv1.locateFaces} does for a photo given as a tensor:
 * <ol>
 *   <li>pad the photo with black at the bottom or right to a square, resize it to 512×512 bilinearly as TensorFlow's
 *       {@code resizeBilinear} (no half-pixel centres, no corner alignment) does, and scale the pixels to [−1, 1];</li>
 *   <li>run the network; decode each anchor's box offsets (ty, tx, th, tw) against its anchor box (centre ± size·t/10,
 *       size·exp(t/5)) and score it with the sigmoid of its face logit;</li>
 *   <li>keep the boxes scoring above {@code minScore}, most confident first, dropping any that overlaps a kept one by
 *       an intersection over union above 0.5 (face-api's greedy non-maximum suppression, at most 100 faces);</li>
 *   <li>clip each box to the padded square and map it back to pixels of the photo.</li>
 * </ol>
 * The one addition: photos whose longer side exceeds {@link #PRESHRINK_SIDE} are first shrunk to that side with the
 * anti-aliased resizer, because a plain bilinear resize from thousands of pixels down to 512 reads only a few pixels
 * in each 8×8 block and aliases. Boxes are finally clamped to the photo.
 *
 * <p>Not thread-safe: one detector per thread of work (the backend parallelises each pass itself).
 */
public final class FaceDetector {
    /** face-api's default {@code minConfidence}. */
    public static final double DEFAULT_MIN_SCORE = 0.5;
    public static final double IOU_THRESHOLD = 0.5;
    public static final int MAX_FACES = 100;
    /** Longer sides above this are shrunk anti-aliased first (2× the network's input). */
    public static final int PRESHRINK_SIDE = 2 * SsdMobileNetV1.INPUT_SIZE;
    /** Photos go through the network this many at a time. */
    public static final int BATCH = 4;

    private static final int SIZE = SsdMobileNetV1.INPUT_SIZE;

    private final Backend backend;
    private final Graph graph;
    private final float[] anchors;
    private final double minScore;
    private final Set<String> outputs = new HashSet<>();
    private final Path weightsFile;

    private FaceDetector(Backend backend, Graph graph, float[] anchors, double minScore, Path weightsFile) {
        this.backend = backend;
        this.graph = graph;
        this.anchors = anchors;
        this.minScore = minScore;
        this.weightsFile = weightsFile;
        for (int k = 0; k < SsdMobileNetV1.predictors(); k++) {
            outputs.add(SsdMobileNetV1.boxesLayer(k));
            outputs.add(SsdMobileNetV1.classesLayer(k));
        }
    }

    /**
     * Loads the converted weights (a Keras-layout file from {@code pinkcnn convert}); a missing, damaged or wrong file
     * is a {@link UserError} naming the file and the problem.
     */
    public static FaceDetector load(Backend backend, Path weightsFile, double minScore) {
        if (!(minScore > 0 && minScore < 1)) throw new UserError("the minimum face score must be in (0, 1), not " + minScore);
        KerasWeights w;
        try {
            w = KerasWeights.read(weightsFile);
        } catch (IOException e) {
            throw new UserError("face detector weights " + e.getMessage(), e);
        }
        Graph g = SsdMobileNetV1.build(backend, SIZE, 1);
        g.setTraining(false);
        try {
            GraphWeights.load(g, w, "the SSD MobileNetV1 face detector");
        } catch (IOException e) {
            throw new UserError("face detector weights " + e.getMessage(), e);
        }
        int count = SsdMobileNetV1.anchorCount(g);
        Weight a;
        try {
            a = w.weight(SsdMobileNetV1.ANCHORS_LAYER, SsdMobileNetV1.ANCHORS_WEIGHT);
        } catch (IllegalArgumentException e) {
            throw new UserError("face detector weights " + weightsFile + ": no anchor boxes (" + SsdMobileNetV1.ANCHORS_LAYER
                    + "/" + SsdMobileNetV1.ANCHORS_WEIGHT + "); convert the weights again with pinkcnn convert");
        }
        if (a.data().length != 4 * count) {
            throw new UserError("face detector weights " + weightsFile + ": " + a.data().length / 4 + " anchor boxes, the network has "
                    + count);
        }
        for (float v : a.data()) {
            if (!Float.isFinite(v)) throw new UserError("face detector weights " + weightsFile + ": an anchor box is not finite");
        }
        return new FaceDetector(backend, g, a.data(), minScore, weightsFile);
    }

    public Graph graph() {
        return graph;
    }

    public Backend backend() {
        return backend;
    }

    public Path weightsFile() {
        return weightsFile;
    }

    public double minScore() {
        return minScore;
    }

    /**
     * The faces of each photo, most confident first: face-api's result ({@link #detectOnce}) and, for a photo where it
     * finds none, a second look at the photo centred on a grey canvas {@value #ZOOM_OUT}× its size. A face that fills
     * most of a tightly cropped portrait scores low in face-api (its anchors were trained on faces in scenes); seen
     * smaller, it is found: on the 317 LFW demo portraits (150×150) one pass finds a face in 274, the second pass finds
     * the other 43.
     */
    public List<List<Face>> detect(List<RgbImage> photos) {
        List<List<Face>> out = new ArrayList<>(photos.size());
        for (int from = 0; from < photos.size(); from += BATCH) {
            List<RgbImage> part = photos.subList(from, Math.min(photos.size(), from + BATCH));
            List<Input> inputs = new ArrayList<>();
            for (RgbImage p : part) inputs.add(input(p));
            out.addAll(detect(inputs, part));
        }
        return out;
    }

    /**
     * {@link #detect(List)} for photos already prepared with {@link #input} (on other threads): one pass over the
     * inputs, a second look at the photos where nothing was found.
     */
    public List<List<Face>> detect(List<Input> inputs, List<RgbImage> photos) {
        List<List<Face>> out = detectInputs(inputs);
        List<Integer> missed = new ArrayList<>();
        for (int i = 0; i < out.size(); i++) if (out.get(i).isEmpty()) missed.add(i);
        for (int from = 0; from < missed.size(); from += BATCH) {
            List<Integer> part = missed.subList(from, Math.min(missed.size(), from + BATCH));
            List<Input> again = new ArrayList<>();
            for (int i : part) again.add(zoomedOut(photos.get(i)));
            List<List<Face>> found = detectInputs(again);
            for (int k = 0; k < part.size(); k++) out.set(part.get(k), found.get(k));
        }
        return out;
    }

    public List<Face> detect(RgbImage photo) {
        return detect(List.of(photo)).get(0);
    }

    /** face-api's result: one pass over each photo as it is. */
    public List<List<Face>> detectOnce(List<RgbImage> photos) {
        List<List<Face>> out = new ArrayList<>(photos.size());
        for (int from = 0; from < photos.size(); from += BATCH) {
            List<Input> inputs = new ArrayList<>();
            for (RgbImage p : photos.subList(from, Math.min(photos.size(), from + BATCH))) inputs.add(input(p));
            out.addAll(detectInputs(inputs));
        }
        return out;
    }

    public List<Face> detectOnce(RgbImage photo) {
        return detectOnce(List.of(photo)).get(0);
    }

    /** How much larger the canvas of the second look is than the photo. */
    public static final int ZOOM_OUT = 2;
    /** The canvas colour of the second look (the grey that transparent pixels are composited on). */
    private static final byte CANVAS_GREY = (byte) 128;

    /**
     * A photo prepared for the network (see {@link #input}), with what maps boxes back onto it: the network saw a
     * {@code width × height} picture; a pixel of it is {@code scale} pixels of the canvas, and the photo starts at
     * ({@code offsetX}, {@code offsetY}) of the canvas.
     */
    public record Input(float[] pixels, int width, int height, double scaleX, double scaleY, int offsetX, int offsetY,
                        int photoWidth, int photoHeight) {}

    /** The network input of a photo: 512×512×3 floats in [−1, 1] (may run on any thread). */
    public static Input input(RgbImage photo) {
        return input(photo, 0, 0, photo.width(), photo.height());
    }

    /** The photo centred on a grey canvas {@value #ZOOM_OUT}× its size, as network input. */
    public static Input zoomedOut(RgbImage photo) {
        int w = ZOOM_OUT * photo.width(), h = ZOOM_OUT * photo.height();
        int ox = (w - photo.width()) / 2, oy = (h - photo.height()) / 2;
        byte[] canvas = new byte[3 * w * h];
        java.util.Arrays.fill(canvas, CANVAS_GREY);
        for (int y = 0; y < photo.height(); y++) {
            System.arraycopy(photo.rgb(), 3 * y * photo.width(), canvas, 3 * ((y + oy) * w + ox), 3 * photo.width());
        }
        return input(new RgbImage(w, h, canvas), ox, oy, photo.width(), photo.height());
    }

    private static Input input(RgbImage canvas, int ox, int oy, int photoW, int photoH) {
        RgbImage p = canvas;
        int side = Math.max(canvas.width(), canvas.height());
        if (side > PRESHRINK_SIDE) {
            double s = (double) PRESHRINK_SIDE / side;
            int w = Math.max(1, (int) Math.round(canvas.width() * s)), h = Math.max(1, (int) Math.round(canvas.height() * s));
            p = new RgbImage(w, h, Resizer.resize(canvas, w, h));
        }
        return new Input(networkInput(p), p.width(), p.height(), (double) canvas.width() / p.width(),
                (double) canvas.height() / p.height(), ox, oy, photoW, photoH);
    }

    /**
     * face-api's {@code toBatchTensor(512, false)} and input scaling: the photo padded with zeros at the bottom / right
     * to a square of its longer side, resized to 512 as TensorFlow.js' {@code resizeBilinear(…, false, false)} does
     * (in double, stored as float32), then x / 127.5 − 1 (each step rounded to float32, as in TF.js).
     */
    static float[] networkInput(RgbImage p) {
        int w = p.width(), h = p.height(), s = Math.max(w, h);
        byte[] rgb = p.rgb();
        float[] out = new float[SIZE * SIZE * 3];
        double ratio = (double) s / SIZE;
        int[] c0 = new int[SIZE], c1 = new int[SIZE];
        double[] cf = new double[SIZE];
        for (int c = 0; c < SIZE; c++) {
            double src = ratio * c;
            c0[c] = Math.max(0, (int) Math.floor(src));
            cf[c] = src - c0[c];
            c1[c] = Math.min(s - 1, (int) Math.ceil(src));
        }
        int o = 0;
        for (int r = 0; r < SIZE; r++) {
            double src = ratio * r;
            int r0 = Math.max(0, (int) Math.floor(src));
            double rf = src - r0;
            int r1 = Math.min(s - 1, (int) Math.ceil(src));
            for (int c = 0; c < SIZE; c++) {
                for (int ch = 0; ch < 3; ch++) {
                    double tl = at(rgb, w, h, c0[c], r0, ch), tr = at(rgb, w, h, c1[c], r0, ch);
                    double bl = at(rgb, w, h, c0[c], r1, ch), br = at(rgb, w, h, c1[c], r1, ch);
                    double top = tl + (tr - tl) * cf[c];
                    double bottom = bl + (br - bl) * cf[c];
                    float v = (float) (top + (bottom - top) * rf);
                    float scaled = (float) (v / 127.5);
                    out[o++] = (float) (scaled - 1.0);
                }
            }
        }
        return out;
    }

    private static double at(byte[] rgb, int w, int h, int x, int y, int ch) {
        return x < w && y < h ? rgb[3 * (y * w + x) + ch] & 0xFF : 0;
    }

    /** Runs prepared inputs (at most {@link #BATCH} at a time is best) and returns each one's faces. */
    public List<List<Face>> detectInputs(List<Input> inputs) {
        List<List<Face>> out = new ArrayList<>(inputs.size());
        if (inputs.isEmpty()) return out;
        int n = inputs.size(), per = SIZE * SIZE * 3;
        float[] x = new float[n * per];
        for (int i = 0; i < n; i++) System.arraycopy(inputs.get(i).pixels(), 0, x, i * per, per);
        Raw raw = run(x, n);
        for (int i = 0; i < n; i++) out.add(faces(raw, i, inputs.get(i)));
        return out;
    }

    /** Decoded boxes ({@code [n][anchor][ymin, xmin, ymax, xmax]}, relative to the padded square) and face scores. */
    public record Raw(float[][] boxes, float[][] scores) {}

    /** The network on a batch of inputs, boxes decoded (before thresholds and suppression). */
    public Raw run(float[] x, int n) {
        try (TensorScope scope = TensorScope.open(); Autograd.AutoCloseableNoThrow ng = Autograd.noGrad()) {
            return decode(graph.run(Map.of(Graph.INPUT, Tensor.of(backend, x, n, SIZE, SIZE, 3)), 0,
                    graph.nodes().size() - 1, outputs), n);
        }
    }

    /** The layers whose outputs {@link #decode} needs: the box predictors'. */
    public Set<String> outputLayers() {
        return Set.copyOf(outputs);
    }

    /** Decodes the box predictors' outputs of a pass over {@code n} inputs. */
    public Raw decode(Map<String, Tensor> y, int n) {
        int count = anchors.length / 4;
        float[][] encodings = new float[n][4 * count];
        float[][] logits = new float[n][SsdMobileNetV1.CLASSES * count];
        int anchor = 0;
        for (int k = 0; k < SsdMobileNetV1.predictors(); k++) {
            float[] b = y.get(SsdMobileNetV1.boxesLayer(k)).toArray();
            float[] c = y.get(SsdMobileNetV1.classesLayer(k)).toArray();
            int cells = b.length / n / 4; // anchors of this map (cells × anchors per cell)
            for (int i = 0; i < n; i++) {
                System.arraycopy(b, i * cells * 4, encodings[i], anchor * 4, cells * 4);
                System.arraycopy(c, i * cells * SsdMobileNetV1.CLASSES, logits[i], anchor * SsdMobileNetV1.CLASSES,
                        cells * SsdMobileNetV1.CLASSES);
            }
            anchor += cells;
        }
        if (anchor != count) throw new IllegalStateException(anchor + " anchors predicted, " + count + " anchor boxes");
        float[][] boxes = new float[n][4 * count], scores = new float[n][count];
        for (int i = 0; i < n; i++) {
            for (int a = 0; a < count; a++) {
                decode(anchors, a, encodings[i], boxes[i]);
                scores[i][a] = sigmoid(logits[i][a * SsdMobileNetV1.CLASSES + 1]);
            }
        }
        return new Raw(boxes, scores);
    }

    /**
     * face-api's {@code decodeBoxesLayer}: the anchor [y0, x0, y1, x1] as centre and size, the offsets t scaled by
     * 10 (centre) and 5 (size), giving [ymin, xmin, ymax, xmax] relative to the padded square.
     */
    static void decode(float[] anchors, int a, float[] t, float[] out) {
        int i = 4 * a;
        double hA = anchors[i + 2] - anchors[i], wA = anchors[i + 3] - anchors[i + 1];
        double cy = anchors[i] + hA / 2, cx = anchors[i + 1] + wA / 2;
        double halfH = Math.exp(t[i + 2] / 5.0) * hA / 2, halfW = Math.exp(t[i + 3] / 5.0) * wA / 2;
        double y = t[i] / 10.0 * hA + cy, x = t[i + 1] / 10.0 * wA + cx;
        out[i] = (float) (y - halfH);
        out[i + 1] = (float) (x - halfW);
        out[i + 2] = (float) (y + halfH);
        out[i + 3] = (float) (x + halfW);
    }

    private static float sigmoid(float v) {
        return (float) (1 / (1 + Math.exp(-v)));
    }

    /** Thresholds, suppression and mapping back to the photo of input i, as face-api's locateFaces. */
    public List<Face> faces(Raw raw, int i, Input in) {
        float[] boxes = raw.boxes()[i], scores = raw.scores()[i];
        List<Integer> kept = nonMaxSuppression(boxes, scores, MAX_FACES, IOU_THRESHOLD, minScore);
        double scale = (double) SIZE / Math.max(in.width(), in.height());
        double padX = SIZE / (double) Math.round(in.width() * scale), padY = SIZE / (double) Math.round(in.height() * scale);
        double fullW = in.width() * in.scaleX(), fullH = in.height() * in.scaleY();
        List<Face> out = new ArrayList<>(kept.size());
        for (int a : kept) {
            double top = Math.max(0, boxes[4 * a]) * padY, bottom = Math.min(1, boxes[4 * a + 2]) * padY;
            double left = Math.max(0, boxes[4 * a + 1]) * padX, right = Math.min(1, boxes[4 * a + 3]) * padX;
            double x0 = left * fullW - in.offsetX(), y0 = top * fullH - in.offsetY();
            double x1 = right * fullW - in.offsetX(), y1 = bottom * fullH - in.offsetY();
            int w = in.photoWidth(), h = in.photoHeight();
            Face f = new Face(clamp(x0, w), clamp(y0, h), clamp(x1, w), clamp(y1, h), scores[a]);
            if (f.area() > 0) out.add(f); // a box on the canvas of a second look only
        }
        return out;
    }

    private static double clamp(double v, double max) {
        return Math.min(Math.max(v, 0), max);
    }

    /**
     * face-api's greedy suppression: candidates above {@code minScore}, highest first (ties in anchor order); one is
     * kept unless it overlaps an already kept box by IoU above {@code iou}.
     */
    static List<Integer> nonMaxSuppression(float[] boxes, float[] scores, int max, double iou, double minScore) {
        List<Integer> candidates = new ArrayList<>();
        for (int a = 0; a < scores.length; a++) if (scores[a] > minScore) candidates.add(a);
        candidates.sort((p, q) -> Float.compare(scores[q], scores[p])); // stable, like JavaScript's sort
        List<Integer> selected = new ArrayList<>();
        for (int c : candidates) {
            if (selected.size() >= max) break;
            boolean suppressed = false;
            for (int j = selected.size() - 1; j >= 0 && !suppressed; j--) suppressed = iou(boxes, c, selected.get(j)) > iou;
            if (!suppressed) selected.add(c);
        }
        return selected;
    }

    static double iou(float[] b, int i, int j) {
        double yminI = Math.min(b[4 * i], b[4 * i + 2]), xminI = Math.min(b[4 * i + 1], b[4 * i + 3]);
        double ymaxI = Math.max(b[4 * i], b[4 * i + 2]), xmaxI = Math.max(b[4 * i + 1], b[4 * i + 3]);
        double yminJ = Math.min(b[4 * j], b[4 * j + 2]), xminJ = Math.min(b[4 * j + 1], b[4 * j + 3]);
        double ymaxJ = Math.max(b[4 * j], b[4 * j + 2]), xmaxJ = Math.max(b[4 * j + 1], b[4 * j + 3]);
        double areaI = (ymaxI - yminI) * (xmaxI - xminI), areaJ = (ymaxJ - yminJ) * (xmaxJ - xminJ);
        if (areaI <= 0 || areaJ <= 0) return 0;
        double ih = Math.max(Math.min(ymaxI, ymaxJ) - Math.max(yminI, yminJ), 0);
        double iw = Math.max(Math.min(xmaxI, xmaxJ) - Math.max(xminI, xminJ), 0);
        double inter = ih * iw;
        return inter / (areaI + areaJ - inter);
    }
}
