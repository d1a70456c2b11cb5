package pinkcnn.trainer.data;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import pinkcnn.trainer.UserError;

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

    @Option(names = "--size", defaultValue = "224", paramLabel = "PX", description = "Output side in pixels. Default: ${DEFAULT-VALUE}.")
    int size;

    @Option(names = "--split", defaultValue = "60,20,20", paramLabel = "T,D,T",
            description = "Train, dev, test shares, applied per class. Default: ${DEFAULT-VALUE}.")
    String split;

    @Option(names = "--augment", defaultValue = "6", paramLabel = "N",
            description = "Training images per photo: the original + N-1 random variants (1 = none). Default: ${DEFAULT-VALUE}.")
    int augment;

    @Option(names = "--seed", defaultValue = "42", paramLabel = "N", description = "Seed of the split and of the augmentation. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--crop", defaultValue = "center", paramLabel = "center|none",
            description = "center: the largest centred square; none: squeeze the whole photo. Default: ${DEFAULT-VALUE}.")
    String crop;

    @Option(names = "--crop-fraction", paramLabel = "F",
            description = "Keep the central F of each side first (faces fill the middle of LFW-style photos). Default: "
                    + Preprocessing.DEFAULT_CROP_FRACTION + ".")
    Double cropFraction;

    @Option(names = "--dedupe", defaultValue = "exact", paramLabel = "exact|near",
            description = "exact: drop byte- and pixel-identical copies, report look-alikes; near: drop look-alikes too. "
                    + "Default: ${DEFAULT-VALUE}.")
    String dedupe;

    @Option(names = "--near-distance", defaultValue = "" + Deduplicator.DEFAULT_NEAR_DISTANCE, paramLabel = "BITS",
            description = "Perceptual-hash distance (of 64 bits) up to which photos are look-alikes. Default: ${DEFAULT-VALUE}.")
    int nearDistance;

    @Option(names = "--manifest", paramLabel = "FILE", description = "Reuse the split of an earlier manifest.csv (matched by file hash).")
    Path manifest;

    @Option(names = "--min-side", defaultValue = "32", paramLabel = "PX",
            description = "Skip photos whose shorter side is smaller. Default: ${DEFAULT-VALUE}.")
    int minSide;

    @Option(names = "--rotation", defaultValue = "20", paramLabel = "DEG", description = "Augmentation: rotation up to ±DEG. Default: ${DEFAULT-VALUE}.")
    double rotation;

    @Option(names = "--shift", defaultValue = "0.1", paramLabel = "F", description = "Augmentation: shift up to ±F of the side. Default: ${DEFAULT-VALUE}.")
    double shift;

    @Option(names = "--zoom", defaultValue = "0.1", paramLabel = "F", description = "Augmentation: zoom by 1-F .. 1+F. Default: ${DEFAULT-VALUE}.")
    double zoom;

    @Option(names = "--brightness", defaultValue = "0.2", paramLabel = "F",
            description = "Augmentation: brightness ×(1-F .. 1+F). Default: ${DEFAULT-VALUE}.")
    double brightness;

    @Option(names = "--flip", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Augmentation: mirror half of the variants (--no-flip to turn off). Default: on.")
    boolean flip;

    @Option(names = "--threads", defaultValue = "0", paramLabel = "N", description = "Worker threads (0 = all cores).")
    int threads;

    @Option(names = "--force", description = "Replace existing outputs.")
    boolean force;

    @Option(names = "--no-progress", description = "No progress bars.")
    boolean noProgress;

    @Override
    public Integer call() {
        PrepareJob.Options options;
        try {
            options = new PrepareJob.Options(
                    raw != null ? raw : home().resolve("datasets"),
                    out != null ? out : home().resolve("datasets").resolve("prepared"),
                    new Preprocessing(size, Preprocessing.Crop.parse(crop),
                            cropFraction != null ? cropFraction : Preprocessing.DEFAULT_CROP_FRACTION),
                    StratifiedSplit.Ratios.parse(split), augment, seed,
                    new Augmentation(rotation, shift, zoom, flip, brightness),
                    Deduplicator.Mode.parse(dedupe), nearDistance, manifest, minSide, threads, force);
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage());
        }
        PrepareReport report = PrepareJob.run(options, noProgress ? Progress.SILENT : Progress.BARS);
        report.print(spec.commandLine().getOut());
        spec.commandLine().getOut().flush();
        return 0;
    }

    /** Default folders are relative to the project ({@code pinkcnn.home}, set by the launcher), else to here. */
    static Path home() {
        String home = System.getProperty("pinkcnn.home");
        return home != null ? Path.of(home) : Path.of("");
    }
}
