package pinkcnn.trainer.data;

import java.util.Arrays;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import pinkcnn.trainer.UserError;

/** {@code pinkcnn check FILE.h5}: what a dataset file holds, and a contact sheet of samples to look at. */
@Command(name = "check",
        description = "Show a dataset file's shapes, dtypes, images per class and pixel statistics, and write a PNG "
                + "contact sheet of random samples per class with their labels.",
        sortOptions = false,
        mixinStandardHelpOptions = true)
public final class CheckCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "FILE.h5", description = "A split file, e.g. datasets/prepared/train.h5.")
    Path file;

    @Option(names = "--sheet", paramLabel = "FILE.png", description = "Contact sheet path. Default: FILE-samples.png next to FILE.")
    Path sheet;

    @Option(names = "--per-class", defaultValue = "8", paramLabel = "N", description = "Samples per class on the sheet. Default: ${DEFAULT-VALUE}.")
    int perClass;

    @Option(names = "--tile", defaultValue = "112", paramLabel = "PX", description = "Side of each sample on the sheet. Default: ${DEFAULT-VALUE}.")
    int tile;

    @Option(names = "--seed", defaultValue = "42", paramLabel = "N", description = "Seed of the sample choice. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Override
    public Integer call() {
        if (perClass < 1 || tile < 8) throw new UserError("--per-class must be at least 1 and --tile at least 8");
        PrintWriter out = spec.commandLine().getOut();
        try (DatasetReader data = DatasetReader.open(file)) {
            out.println(file + ": split '" + data.split() + "'");
            for (DatasetReader.DatasetInfo d : data.datasets()) out.println("  " + d);
            data.preprocessing().ifPresent(p -> out.printf(Locale.ROOT, "  preprocessing: %d×%d, crop %s%n",
                    p.size(), p.size(), p.crop() == Preprocessing.Crop.FACE ? p.describeCrop() + " ("
                            + data.attributes().getOrDefault("face_detector", "a face detector") + ")"
                            : p.crop() + ", crop fraction " + p.cropFraction()));

            int[] counts = data.countsPerClass();
            int nameWidth = Math.max(5, data.classes().stream().mapToInt(String::length).max().orElse(5));
            out.println();
            out.printf("%5s  %-" + nameWidth + "s %7s %7s%n", "label", "class", "images", "share");
            for (int c = 0; c < counts.length; c++) {
                out.printf(Locale.ROOT, "%5d  %-" + nameWidth + "s %7d %6.1f%%%n", c, data.classes().get(c), counts[c],
                        100.0 * counts[c] / Math.max(1, data.count()));
            }
            out.printf("%5s  %-" + nameWidth + "s %7d%n", "", "total", data.count());

            out.println();
            PixelStats.of(data).print(out);

            Path png = sheet != null ? sheet : defaultSheet(file);
            SourceBoxes boxes = SourceBoxes.of(data, out);
            ContactSheet.write(png, data, samples(data), tile, boxes == null ? null : boxes::source);
            out.println();
            out.println("contact sheet: " + png + " (" + perClass + " random images per class, captioned #index label"
                    + (boxes == null ? ")" : ", each beside its photo with the face box it was cropped around)"));
        } catch (IOException e) {
            throw new UserError("cannot write the contact sheet: " + e.getMessage());
        }
        out.flush();
        return 0;
    }

    /** Up to {@code perClass} random image indices of each class, in file order. */
    private List<int[]> samples(DatasetReader data) {
        List<int[]> rows = new ArrayList<>();
        SplittableRandom rng = new SplittableRandom(seed);
        for (int c = 0; c < data.classes().size(); c++) {
            List<Integer> ofClass = new ArrayList<>();
            for (int i = 0; i < data.count(); i++) if (data.label(i) == c) ofClass.add(i);
            int[] perm = StratifiedSplit.shuffled(ofClass.size(), rng);
            int n = Math.min(perClass, ofClass.size());
            int[] chosen = new int[n];
            for (int k = 0; k < n; k++) chosen[k] = ofClass.get(perm[k]);
            Arrays.sort(chosen);
            rows.add(chosen);
        }
        return rows;
    }

    static Path defaultSheet(Path h5) {
        String name = h5.getFileName().toString();
        String stem = name.endsWith(".h5") ? name.substring(0, name.length() - 3) : name;
        return h5.resolveSibling(stem + "-samples.png");
    }
}
