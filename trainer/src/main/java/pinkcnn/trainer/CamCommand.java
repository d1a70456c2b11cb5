package pinkcnn.trainer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
import pinkcnn.trainer.train.RunConfig;
import pinkcnn.trainer.train.RunFolder;
import pinkcnn.trainer.train.TrainingRun;

/**
 * {@code pinkcnn cam}: class activation maps of a trained run — where in a photo the evidence for a class lies, at a
 * layer of the network — computed with the engine's autograd (docs/cam.md).
 */
@Command(name = "cam", mixinStandardHelpOptions = true,
        description = {"Class activation maps: for each photo, where the evidence for a class lies at a layer of a trained run, "
                + "as <photo>-<class>-<method>.png (an overlay on the network's input and on the photo, a colour bar, the "
                + "class probability) and .npy (the raw map at the layer's resolution).",
                "Photos are preprocessed exactly as the run's training data (crop, resize, scaling). See docs/cam.md."})
public final class CamCommand implements Callable<Integer> {
    @Mixin DeviceOption device;

    @Mixin RunOption run;

    @Parameters(arity = "0..*", paramLabel = "PHOTO", description = "Photos (JPEG, PNG, GIF, BMP, WebP).")
    List<Path> photos = new ArrayList<>();

    @Option(names = "--layer", paramLabel = "NAME",
            description = "The layer of the map (see --list). Default: the layer the head reads (the run's cut layer).")
    String layer;

    @Option(names = "--class", paramLabel = "NAME|top",
            description = "The class to explain: one of the run's classes, or top (the predicted one); repeat for several. Default: top.")
    List<String> classes = new ArrayList<>(List.of("top"));

    @Option(names = "--method", split = ",", paramLabel = "METHOD", converter = CamMethod.Converter.class,
            completionCandidates = CamMethod.Candidates.class,
            description = "${COMPLETION-CANDIDATES} (several: comma-separated). Default: gradcam.")
    List<CamMethod> methods = new ArrayList<>(List.of(CamMethod.GRADCAM));

    @Option(names = "--out", paramLabel = "DIR", description = "Where to write the maps. Default: RUN/cam.")
    Path out;

    @Option(names = "--list", description = "Print the layers a map can be made at and exit.")
    boolean list;

    @Option(names = "--quiet", description = "No progress bar.")
    boolean quiet;

    @Override
    public Integer call() throws Exception {
        RunFolder folder = run.folder();
        RunConfig cfg = folder.readConfig();
        int[] wanted = resolveClasses(classes, cfg.classes);
        if (!list && photos.isEmpty()) throw new UserError("give at least one photo (or --list)");
        // every photo is decoded before anything is computed, so a bad one stops the command with nothing written
        Preprocessing prep = cfg.preprocessing();
        int per = cfg.inputSize * cfg.inputSize * 3;
        byte[] inputs = new byte[photos.size() * per];
        List<Face> faces = new ArrayList<>();
        List<RgbImage> originals = new ArrayList<>();
        try (Backend backend = device.open()) {
            // a run trained on face crops: the face its training would have used (--faces of prepare, as run.json says)
            FaceDetector detector = prep.crop() == Preprocessing.Crop.FACE && !list ? FaceDetector.load(backend,
                    DetectorWeights.ensure(new java.io.PrintWriter(System.err, true)), cfg.faceCrop().minScore) : null;
            for (int i = 0; i < photos.size() && !list; i++) {
                RgbImage photo;
                try {
                    photo = ImageDecoder.decode(photos.get(i));
                } catch (UnusableImageException e) {
                    throw new UserError(photos.get(i) + ": " + e.getMessage());
                }
                Face face = null;
                if (detector != null) {
                    List<Face> found = cfg.faceCrop().faces.choose(detector.detect(photo));
                    if (found.isEmpty()) throw new UserError(photos.get(i) + ": no face found");
                    face = found.get(0);
                }
                faces.add(face);
                originals.add(photo);
                System.arraycopy(prep.apply(photo, face), 0, inputs, i * per, per);
            }
            ClassActivationMaps cams = ClassActivationMaps.of(backend, TrainingRun.load(folder, backend));
            String listCommand = "pinkcnn cam --run " + run.path() + " --list";
            if (list) {
                LayerListing.print(System.out, cams.backbone(), cams.backbone().position(cams.cut()), cams.cut(),
                        "<- the head reads this (the default --layer)");
                return 0;
            }
            String at = layer == null ? cams.cut() : layer;
            if (!cams.layers().contains(at)) {
                if (cams.backbone().has(at)) {
                    throw new UserError("layer '" + at + "' comes after " + cams.cut() + ", the layer this run's head reads: "
                            + "choose one up to it (" + listCommand + ")");
                }
                throw LayerListing.unknown(at, cams.layers(), listCommand);
            }
            int[][] perPhoto = new int[photos.size()][];
            java.util.Arrays.fill(perPhoto, wanted);
            Path dir = out != null ? out : folder.dir().resolve("cam");
            List<Path> written = CamWriter.write(cams, prep, photos, inputs, at, perPhoto, methods, cfg.classes, dir,
                    quiet || photos.size() < 4 ? Progress.SILENT : Progress.BARS, System.out, new java.util.HashSet<>(), faces, originals);
            System.out.printf("%d maps at %s in %s%n", written.size() / 2, at, dir);
        }
        return 0;
    }

    /** --class values as class indices ({@link ClassActivationMaps#TOP} for top), or a one-line error. */
    static int[] resolveClasses(List<String> names, List<String> runClasses) {
        int[] out = new int[names.size()];
        for (int i = 0; i < out.length; i++) {
            String n = names.get(i).trim();
            if (n.equalsIgnoreCase("top")) {
                out[i] = ClassActivationMaps.TOP;
                continue;
            }
            out[i] = runClasses.indexOf(n);
            if (out[i] < 0) {
                for (int c = 0; c < runClasses.size(); c++) if (runClasses.get(c).equalsIgnoreCase(n)) out[i] = c;
            }
            if (out[i] < 0) {
                throw new UserError("class '" + n + "' is not in the run; its classes are " + String.join(", ", runClasses)
                        + " (or top)");
            }
        }
        return out;
    }
}
