package pinkcnn.trainer.data;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import pinkcnn.trainer.UserError;
import pinkcnn.trainer.UserPaths;

/** {@code pinkcnn prepare}: class folders of photos → {@code train.h5}, {@code dev.h5}, {@code test.h5}. */
@Command(name = "prepare",
        description = {
                "Turn class folders of photos into train/dev/test HDF5 files (the original project's layout): decode, "
                        + "de-duplicate, split per class, crop, resize and augment the training split.",
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

    @Option(names = "--crop", paramLabel = "center|none", converter = Preprocessing.Crop.Converter.class,
            description = "center: the largest centred square; none: squeeze the whole photo. Default: ${DEFAULT-VALUE}.")
    Preprocessing.Crop crop = Preprocessing.Crop.CENTER;

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
        PrepareReport report = PrepareJob.run(options(), noProgress ? Progress.SILENT : Progress.BARS);
        report.print(spec.commandLine().getOut());
        spec.commandLine().getOut().flush();
        return 0;
    }

    /**
     * The job of {@code pinkcnn prepare --raw RAW --out OUT [--force]} with every other option at its default (for
     * demo, which runs prepare's code directly).
     */
    public static PrepareJob.Options defaultOptions(Path raw, Path out, boolean force) {
        PrepareCommand c = new PrepareCommand();
        c.raw = raw;
        c.out = out;
        c.force = force;
        return c.options();
    }

    private PrepareJob.Options options() {
        try {
            return new PrepareJob.Options(
                    UserPaths.orDefault(raw, "datasets"),
                    UserPaths.orDefault(out, "datasets/prepared"),
                    new Preprocessing(size, crop, cropFraction != null ? cropFraction : Preprocessing.DEFAULT_CROP_FRACTION),
                    StratifiedSplit.Ratios.parse(split), augment, seed,
                    new Augmentation(rotation, shift, zoom, flip, brightness),
                    dedupe, nearDistance, manifest, minSide, threads, force, maxPixels);
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage());
        }
    }
}
