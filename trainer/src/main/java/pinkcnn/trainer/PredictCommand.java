package pinkcnn.trainer;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import pinkcnn.engine.backend.Backend;
import pinkcnn.trainer.cam.CamMethod;
import pinkcnn.trainer.cam.CamWriter;
import pinkcnn.trainer.cam.ClassActivationMaps;
import pinkcnn.trainer.data.ImageDecoder;
import pinkcnn.trainer.data.Preprocessing;
import pinkcnn.trainer.data.Progress;
import pinkcnn.trainer.data.RgbImage;
import pinkcnn.trainer.data.UnusableImageException;
import pinkcnn.trainer.face.Face;
import pinkcnn.trainer.face.FaceDetector;
import pinkcnn.trainer.face.FacePictures;
import pinkcnn.trainer.train.FeatureExtractor;
import pinkcnn.trainer.train.FeatureSet;
import pinkcnn.trainer.train.Pool;
import pinkcnn.trainer.train.Predictions;
import pinkcnn.trainer.train.RunConfig;
import pinkcnn.trainer.train.RunFolder;
import pinkcnn.trainer.train.Trainer;
import pinkcnn.trainer.train.TrainingRun;

/** {@code pinkcnn predict}: classifies photos with a trained run, preprocessing them exactly as in training. */
@Command(name = "predict", mixinStandardHelpOptions = true,
        description = {"Classify photos with a trained run (same crop, resize and scaling as its training data).",
                "A run trained on face crops finds the faces first and classifies each face, giving its box."})
public final class PredictCommand implements Callable<Integer> {
    @Mixin DeviceOption device;

    @Mixin RunOption run;

    @Parameters(arity = "1..*", paramLabel = "IMAGE",
            description = "Photos (JPEG, PNG, GIF, BMP, WebP), any number: they are classified a batch at a time (the "
                    + "run's --batch), each batch's results printed as soon as it is done.")
    List<Path> images;

    @Option(names = "--top", defaultValue = "3", description = "How many classes to show per photo. Default: ${DEFAULT-VALUE}.")
    int top;

    @Option(names = "--json", description = "Print JSON instead of text.")
    boolean json;

    @Option(names = "--cam", paramLabel = "DIR",
            description = "Also write the Grad-CAM of each photo's predicted class into DIR, as 'pinkcnn cam' does "
                    + "(the run's own model's map; an ensemble's first member).")
    Path cam;

    @Option(names = "--max-pixels", paramLabel = "N",
            description = "Skip images with more pixels (read from the file's header, before decoding). "
                    + "Default: ${DEFAULT-VALUE} (40 megapixels).")
    long maxPixels = ImageDecoder.DEFAULT_MAX_PIXELS;

    @Option(names = "--png", paramLabel = "DIR",
            description = "Also write each photo with its boxes labelled by the predicted class to DIR/NAME-predicted.png "
                    + "(a face run: every face found; else the crop).")
    Path png;

    @Option(names = "--detector", paramLabel = "FILE.h5",
            description = "Face detector weights for a run trained on face crops (default: the cached conversion of npm "
                    + DetectorWeights.PACKAGE + ").")
    Path detector;

    /**
     * One network input: a photo, and for face runs the face it was cropped around; the decoded photo is kept only
     * while its batch is scored, and only when --png or --cam draws on it.
     */
    private record Item(Path photo, RgbImage image, Face face, int faceNumber, int faceCount) {}

    @Override
    public Integer call() throws Exception {
        if (maxPixels < 1) throw new UserError("--max-pixels must be at least 1");
        RunFolder folder = run.folder();
        RunConfig cfg = folder.readConfig();
        Preprocessing prep = cfg.preprocessing();
        boolean faceRun = prep.crop() == Preprocessing.Crop.FACE;
        if (png != null && Files.exists(png) && !Files.isDirectory(png)) throw new UserError(png + " exists and is not a folder");
        Path detectorWeights = faceRun ? (detector != null ? detector : DetectorWeights.ensure(new java.io.PrintWriter(System.err, true))) : null;
        boolean keepPhotos = png != null || cam != null;
        // Photos go through the model a batch at a time (the run's --batch), results are printed as each batch is
        // done, and nothing is kept of them afterwards: memory is the same for 10 photos or a million.
        int per = cfg.inputSize * cfg.inputSize * 3;
        int batch = (int) Math.max(1, Math.min(cfg.batch, (256L << 20) / per));   // at most 256 MiB of pixels
        byte[] pixels = new byte[batch * per];   // reused batch after batch; grows only for a photo with many faces
        List<Item> items = new ArrayList<>(batch);
        List<Map<String, Object>> pending = new ArrayList<>(batch);   // this batch's results, in the photos' order
        int skipped = 0;
        Output output = json ? new JsonOutput() : new TextOutput();
        try (Scorer scorer = new Scorer(folder, cfg, prep, detectorWeights)) {
            for (Path p : images) {
                RgbImage photo;
                List<Face> found = null;
                List<byte[]> inputs = new ArrayList<>();
                try {
                    photo = ImageDecoder.decode(p, maxPixels);
                    // as prepare did, every face the detector finds is a photo of its own to classify
                    if (faceRun) found = scorer.faces(photo);
                    if (found != null && found.isEmpty()) throw new UnusableImageException("no face found");
                    if (found == null) {
                        inputs.add(prep.apply(photo));
                    } else {
                        for (Face f : found) inputs.add(prep.apply(photo, f));
                    }
                } catch (UnusableImageException | OutOfMemoryError e) {
                    String why = e instanceof UnusableImageException u ? u.getMessage() : "out of memory processing it";
                    System.err.println("skipped " + p + ": " + why);
                    pending.add(error(p, why));
                    skipped++;
                    continue;
                }
                if ((items.size() + inputs.size()) * (long) per > pixels.length) {
                    pixels = java.util.Arrays.copyOf(pixels, (items.size() + inputs.size()) * per);
                }
                for (int k = 0; k < inputs.size(); k++) System.arraycopy(inputs.get(k), 0, pixels, (items.size() + k) * per, per);
                RgbImage kept = keepPhotos ? photo : null;
                if (found == null) {
                    items.add(new Item(p, kept, null, 0, 0));
                    pending.add(null);
                } else {
                    for (int k = 0; k < found.size(); k++) {
                        items.add(new Item(p, kept, found.get(k), k + 1, found.size()));
                        pending.add(null);
                    }
                }
                if (items.size() >= batch) {
                    scorer.score(items, pixels, pending);
                    output.write(pending);
                    items.clear();
                    pending.clear();
                }
            }
            scorer.score(items, pixels, pending);
            output.write(pending);
        }
        output.end();
        return skipped == 0 ? 0 : 1;
    }

    private static Map<String, Object> error(Path p, String why) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("image", p.toString());
        r.put("error", why);
        return r;
    }

    /**
     * The run's model (every ensemble member), the face detector of a face run and, with --cam, its activation maps;
     * loaded when the first photo needs them, so that a run of unusable photos needs no model at all.
     */
    private final class Scorer implements AutoCloseable {
        private final RunFolder folder;
        private final RunConfig cfg;
        private final Preprocessing prep;
        private final Path detectorWeights;
        private final Set<String> camStems = new HashSet<>();   // --cam file names, unique over the whole run
        private final Set<String> pngStems = new HashSet<>();   // --png file names, likewise
        private Backend backend;
        private FaceDetector detector;
        private TrainingRun.Loaded loaded;
        private final List<FeatureExtractor> extractors = new ArrayList<>();
        private final List<Trainer> heads = new ArrayList<>();
        private final List<TrainingRun.Loaded> members = new ArrayList<>();
        private ClassActivationMaps maps;

        Scorer(RunFolder folder, RunConfig cfg, Preprocessing prep, Path detectorWeights) {
            this.folder = folder;
            this.cfg = cfg;
            this.prep = prep;
            this.detectorWeights = detectorWeights;
        }

        private void open() {
            if (backend == null) backend = device.open();
        }

        /** The faces of a photo, most confident first. */
        List<Face> faces(RgbImage photo) {
            open();
            if (detector == null) detector = FaceDetector.load(backend, detectorWeights, cfg.faceCrop().minScore);
            return detector.detect(photo);
        }

        private void loadModel() {
            open();
            loaded = TrainingRun.load(folder, backend);
            for (int k = 0; k < cfg.ensemble; k++) {
                TrainingRun.Loaded m = loaded.member(k, folder, backend);
                members.add(m);
                extractors.add(new FeatureExtractor(backend, m.backbone(), folder.member(k).model(), cfg.batch, false,
                        Progress.SILENT));
                heads.add(new Trainer(backend, m.model(), null, cfg.batch, cfg.classes.size(), cfg.seed, null, Progress.SILENT));
            }
            if (cam != null) maps = ClassActivationMaps.of(backend, loaded);
        }

        /** Fills in the results of the items among {@code results} (the null slots; the others hold their error). */
        void score(List<Item> items, byte[] pixels, List<Map<String, Object>> results) throws java.io.IOException {
            if (items.isEmpty()) return;
            if (loaded == null) loadModel();
            int n = items.size();
            List<Predictions> each = new ArrayList<>();
            for (int k = 0; k < members.size(); k++) {
                TrainingRun.Loaded m = members.get(k);
                List<FeatureSet> views = new ArrayList<>();
                for (boolean mirrored : cfg.tta.views()) {
                    views.add(extractors.get(k).extract(pixels, n, cfg.inputSize, m.model().inputs(),
                            cfg.frozen() ? cfg.pool : Pool.NONE, mirrored));
                }
                each.add(heads.get(k).predict(views));
            }
            Predictions p = Predictions.average(each);
            List<Map<String, Object>> predicted = new ArrayList<>(n);
            for (int i = 0; i < n; i++) predicted.add(result(items.get(i), p.probabilities()[i], cfg.classes));
            if (cam != null) addCams(items, pixels, p, predicted);
            if (png != null) drawings(items, predicted);
            int i = 0;
            for (int slot = 0; slot < results.size(); slot++) if (results.get(slot) == null) results.set(slot, predicted.get(i++));
        }

        /** Writes the Grad-CAM of each input's predicted class (at the layer the head reads); adds its PNG to the result. */
        private void addCams(List<Item> items, byte[] pixels, Predictions p, List<Map<String, Object>> predicted)
                throws java.io.IOException {
            int[] top = p.predicted();
            int[][] classes = new int[items.size()][];
            for (int i = 0; i < items.size(); i++) classes[i] = new int[] {top[i]};
            List<Path> photos = new ArrayList<>();
            List<Face> faces = new ArrayList<>();
            List<RgbImage> originals = new ArrayList<>();
            for (Item it : items) {
                photos.add(it.faceCount() > 1 ? faceName(it) : it.photo());
                faces.add(it.face());
                originals.add(it.image());
            }
            List<Path> written = CamWriter.write(maps, prep, photos, pixels, maps.cut(), classes, List.of(CamMethod.GRADCAM),
                    cfg.classes, cam, Progress.SILENT, null, camStems, faces, originals);
            for (int i = 0; i < items.size(); i++) predicted.get(i).put("cam", written.get(2 * i).toString()); // png, npy per input
        }

        /** Each photo once, its boxes (faces, or the crop) captioned with the predicted class and its probability. */
        private void drawings(List<Item> items, List<Map<String, Object>> predicted) throws java.io.IOException {
            Files.createDirectories(png);
            Map<Path, List<Integer>> byPhoto = new LinkedHashMap<>();
            for (int i = 0; i < items.size(); i++) byPhoto.computeIfAbsent(items.get(i).photo(), k -> new ArrayList<>()).add(i);
            List<String> stems = CamWriter.stems(new ArrayList<>(byPhoto.keySet()), pngStems);
            int n = 0;
            for (Map.Entry<Path, List<Integer>> e : byPhoto.entrySet()) {
                List<FacePictures.Box> boxes = new ArrayList<>();
                RgbImage photo = items.get(e.getValue().get(0)).image();
                for (int i : e.getValue()) {
                    Face f = items.get(i).face();
                    if (f == null) {
                        double[] b = prep.cropBox(photo.width(), photo.height());
                        f = new Face(b[0], b[1], b[0] + b[2], b[1] + b[3], 1);
                    }
                    @SuppressWarnings("unchecked")
                    Map<String, Object> top = ((List<Map<String, Object>>) predicted.get(i).get("top")).get(0);
                    boxes.add(new FacePictures.Box(f, String.format(Locale.ROOT, "%s %.0f%%", top.get("class"),
                            100 * (Double) top.get("probability"))));
                }
                Path file = png.resolve(stems.get(n++) + "-predicted.png");
                FacePictures.write(file, photo, boxes);
                for (int i : e.getValue()) predicted.get(i).put("png", file.toString());
            }
        }

        @Override
        public void close() {
            if (backend != null) backend.close();
        }
    }

    /** A name for the maps of one face of a photo with several: NAME-face2.jpg beside the photo. */
    private static Path faceName(Item it) {
        String n = it.photo().getFileName().toString();
        int dot = n.lastIndexOf('.');
        String named = (dot > 0 ? n.substring(0, dot) : n) + "-face" + it.faceNumber() + (dot > 0 ? n.substring(dot) : "");
        return it.photo().resolveSibling(named);
    }

    /** Where results go, as they come. */
    private interface Output {
        void write(List<Map<String, Object>> results) throws java.io.IOException;

        void end() throws java.io.IOException;
    }

    /** Text: each photo's (each face's) class and top classes (the skipped ones are named on stderr). */
    private static final class TextOutput implements Output {
        @Override
        public void write(List<Map<String, Object>> results) {
            for (Map<String, Object> r : results) {
                if (r.containsKey("error")) continue;
                String face = r.containsKey("box") ? String.format(Locale.ROOT, " face %s of %s %s", r.get("face"), r.get("faces"),
                        boxText(r.get("box"))) : "";
                System.out.printf("%s%s: %s%n", r.get("image"), face, r.get("class"));
                @SuppressWarnings("unchecked")
                List<Map<String, Object>> topk = (List<Map<String, Object>>) r.get("top");
                for (Map<String, Object> t : topk) System.out.printf("    %-24s %5.1f %%%n", t.get("class"), 100 * (Double) t.get("probability"));
                if (r.containsKey("cam")) System.out.printf("    Grad-CAM: %s%n", r.get("cam"));
                if (r.containsKey("png")) System.out.printf("    drawn: %s%n", r.get("png"));
            }
            System.out.flush();
        }

        @Override
        public void end() {
        }
    }

    private static String boxText(Object box) {
        List<?> b = (List<?>) box;
        return String.format(Locale.ROOT, "[%.0f,%.0f → %.0f,%.0f]", ((Number) b.get(0)).doubleValue(),
                ((Number) b.get(1)).doubleValue(), ((Number) b.get(2)).doubleValue(), ((Number) b.get(3)).doubleValue());
    }

    /** {@code {"predictions": [...]}}, each photo's object written as soon as it is known, the array closed at the end. */
    private static final class JsonOutput implements Output {
        private final ObjectMapper mapper = new ObjectMapper();
        private final JsonGenerator gen;

        JsonOutput() throws java.io.IOException {
            gen = mapper.getFactory().createGenerator(System.out, JsonEncoding.UTF8)
                    .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET).useDefaultPrettyPrinter();
            gen.writeStartObject();
            gen.writeFieldName("predictions");
            gen.writeStartArray();
        }

        @Override
        public void write(List<Map<String, Object>> results) throws java.io.IOException {
            for (Map<String, Object> r : results) mapper.writeValue(gen, r);
            gen.flush();
        }

        @Override
        public void end() throws java.io.IOException {
            gen.writeEndArray();
            gen.writeEndObject();
            gen.flush();
            System.out.println();
        }
    }

    private Map<String, Object> result(Item item, float[] probs, List<String> classes) {
        List<Integer> order = new ArrayList<>();
        for (int c = 0; c < probs.length; c++) order.add(c);
        order.sort(Comparator.comparingDouble(c -> -probs[c]));
        List<Map<String, Object>> topk = new ArrayList<>();
        for (int k = 0; k < Math.min(top, probs.length); k++) {
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("class", classes.get(order.get(k)));
            t.put("probability", (double) probs[order.get(k)]);
            topk.add(t);
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("image", item.photo().toString());
        if (item.face() != null) {
            r.put("face", item.faceNumber());
            r.put("faces", item.faceCount());
            Map<String, Object> f = DetectCommand.json(item.face());
            r.put("box", f.get("box"));
            r.put("face_score", f.get("score"));
        }
        r.put("class", classes.get(order.get(0)));
        r.put("top", topk);
        return r;
    }
}
