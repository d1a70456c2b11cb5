package pinkcnn.trainer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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

    @Parameters(arity = "1..*", paramLabel = "IMAGE", description = "Photos (JPEG, PNG, GIF, BMP, WebP).")
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

    /** One network input: a photo, and for face runs the face it was cropped around. */
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
        List<Item> items = new ArrayList<>();
        List<Map<String, Object>> results = new ArrayList<>();
        List<Integer> slots = new ArrayList<>(); // where each item's result goes, so results keep the photos' order
        int failed = 0;
        try (Backend backend = device.open()) {
            FaceDetector faces = faceRun ? FaceDetector.load(backend, detectorWeights, cfg.faceCrop().minScore) : null;
            java.io.ByteArrayOutputStream inputs = new java.io.ByteArrayOutputStream();
            for (Path p : images) {
                RgbImage photo;
                try {
                    photo = ImageDecoder.decode(p, maxPixels);
                } catch (UnusableImageException e) {
                    failed++;
                    System.err.println("skipped " + p + ": " + e.getMessage());
                    results.add(error(p, e.getMessage()));
                    continue;
                }
                if (!faceRun) {
                    inputs.writeBytes(prep.apply(photo));
                    items.add(new Item(p, photo, null, 0, 0));
                    slots.add(results.size());
                    results.add(null);
                    continue;
                }
                // as prepare did, every face the detector finds is a photo of its own to classify
                List<Face> found = faces.detect(photo);
                if (found.isEmpty()) {
                    failed++;
                    System.err.println("skipped " + p + ": no face found");
                    results.add(error(p, "no face found"));
                    continue;
                }
                for (int k = 0; k < found.size(); k++) {
                    inputs.writeBytes(prep.apply(photo, found.get(k)));
                    items.add(new Item(p, photo, found.get(k), k + 1, found.size()));
                    slots.add(results.size());
                    results.add(null);
                }
            }
            if (!items.isEmpty()) {
                byte[] all = inputs.toByteArray();
                TrainingRun.Loaded loaded = TrainingRun.load(folder, backend);
                List<Predictions> members = new ArrayList<>();
                for (int k = 0; k < cfg.ensemble; k++) {
                    TrainingRun.Loaded m = loaded.member(k, folder, backend);
                    FeatureExtractor fx = new FeatureExtractor(backend, m.backbone(), folder.member(k).model(), cfg.batch, false,
                            pinkcnn.trainer.data.Progress.SILENT);
                    List<FeatureSet> views = new ArrayList<>();
                    for (boolean mirrored : cfg.tta.views()) {
                        views.add(fx.extract(all, items.size(), cfg.inputSize, m.model().inputs(), cfg.frozen() ? cfg.pool : Pool.NONE, mirrored));
                    }
                    members.add(new Trainer(backend, m.model(), null, cfg.batch, cfg.classes.size(), cfg.seed, null,
                            pinkcnn.trainer.data.Progress.SILENT).predict(views));
                }
                Predictions p = Predictions.average(members);
                List<Map<String, Object>> predicted = new ArrayList<>();
                for (int i = 0; i < items.size(); i++) predicted.add(result(items.get(i), p.probabilities()[i], cfg.classes));
                if (cam != null) addCams(backend, loaded, prep, items, all, p, predicted);
                if (png != null) drawings(prep, items, predicted);
                for (int i = 0; i < items.size(); i++) results.set(slots.get(i), predicted.get(i));
            }
        }
        if (json) {
            System.out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(Map.of("predictions", results)));
        } else {
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
        }
        return failed == 0 ? 0 : 1;
    }

    private static Map<String, Object> error(Path p, String why) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("image", p.toString());
        r.put("error", why);
        return r;
    }

    private static String boxText(Object box) {
        List<?> b = (List<?>) box;
        return String.format(Locale.ROOT, "[%.0f,%.0f → %.0f,%.0f]", ((Number) b.get(0)).doubleValue(),
                ((Number) b.get(1)).doubleValue(), ((Number) b.get(2)).doubleValue(), ((Number) b.get(3)).doubleValue());
    }

    /** Each photo once, its boxes (faces, or the crop) captioned with the predicted class and its probability. */
    private void drawings(Preprocessing prep, List<Item> items, List<Map<String, Object>> predicted) throws java.io.IOException {
        Files.createDirectories(png);
        Map<Path, List<Integer>> byPhoto = new LinkedHashMap<>();
        for (int i = 0; i < items.size(); i++) byPhoto.computeIfAbsent(items.get(i).photo(), k -> new ArrayList<>()).add(i);
        List<String> stems = CamWriter.stems(new ArrayList<>(byPhoto.keySet()));
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

    /** Writes the Grad-CAM of each input's predicted class (at the layer the head reads); adds its PNG to the result. */
    private void addCams(Backend backend, TrainingRun.Loaded loaded, Preprocessing prep, List<Item> items, byte[] all,
                         Predictions p, List<Map<String, Object>> predicted) throws java.io.IOException {
        int[] top = p.predicted();
        int[][] classes = new int[items.size()][];
        for (int i = 0; i < items.size(); i++) classes[i] = new int[] {top[i]};
        List<Path> photos = new ArrayList<>();
        List<Face> faces = new ArrayList<>();
        for (Item it : items) {
            photos.add(it.faceCount() > 1 ? faceName(it) : it.photo());
            faces.add(it.face());
        }
        ClassActivationMaps maps = ClassActivationMaps.of(backend, loaded);
        List<Path> written = CamWriter.write(maps, prep, photos, all, maps.cut(), classes, List.of(CamMethod.GRADCAM),
                loaded.cfg().classes, cam, pinkcnn.trainer.data.Progress.SILENT, null, faces, itemsPhotos(items));
        for (int i = 0; i < items.size(); i++) predicted.get(i).put("cam", written.get(2 * i).toString()); // png, npy per input
    }

    /** A name for the maps of one face of a photo with several: NAME-face2.jpg beside the photo. */
    private static Path faceName(Item it) {
        String n = it.photo().getFileName().toString();
        int dot = n.lastIndexOf('.');
        String named = (dot > 0 ? n.substring(0, dot) : n) + "-face" + it.faceNumber() + (dot > 0 ? n.substring(dot) : "");
        return it.photo().resolveSibling(named);
    }

    private static List<RgbImage> itemsPhotos(List<Item> items) {
        List<RgbImage> out = new ArrayList<>();
        for (Item it : items) out.add(it.image());
        return out;
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
