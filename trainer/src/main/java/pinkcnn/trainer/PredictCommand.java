package pinkcnn.trainer;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
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
        description = "Classify photos with a trained run (same crop, resize and scaling as its training data).")
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

    @Override
    public Integer call() throws Exception {
        if (maxPixels < 1) throw new UserError("--max-pixels must be at least 1");
        RunFolder folder = run.folder();
        RunConfig cfg = folder.readConfig();
        Preprocessing prep = new Preprocessing(cfg.inputSize, cfg.crop, cfg.cropFraction);
        // Photos go through the model a batch at a time (the run's --batch), results are printed as each batch is
        // done, and nothing is kept of them afterwards: memory is the same for 10 photos or a million.
        int per = cfg.inputSize * cfg.inputSize * 3;
        int batch = (int) Math.max(1, Math.min(cfg.batch, (256L << 20) / per));   // at most 256 MiB of pixels
        byte[] pixels = new byte[batch * per];
        List<Path> usable = new ArrayList<>(batch);
        List<Map<String, Object>> pending = new ArrayList<>(batch);   // this batch's results, in the photos' order
        int skipped = 0;
        Output output = json ? new JsonOutput() : new TextOutput();
        try (Scorer scorer = new Scorer(folder, cfg, prep)) {
            for (Path p : images) {
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("image", p.toString());
                try {
                    System.arraycopy(load(prep, p), 0, pixels, usable.size() * per, per);
                    usable.add(p);
                } catch (UnusableImageException e) {
                    System.err.println("skipped " + p + ": " + e.getMessage());
                    r.put("error", e.getMessage());
                    skipped++;
                }
                pending.add(r);
                if (pending.size() == batch) {
                    scorer.score(usable, pixels, pending);
                    output.write(pending);
                    usable.clear();
                    pending.clear();
                }
            }
            scorer.score(usable, pixels, pending);
            output.write(pending);
        }
        output.end();
        return skipped == 0 ? 0 : 1;
    }

    /** The photo decoded and preprocessed; running out of memory on it is a reason to skip it, as a damaged file is. */
    private byte[] load(Preprocessing prep, Path photo) throws UnusableImageException {
        RgbImage image = ImageDecoder.decode(photo, maxPixels);
        try {
            return prep.apply(image);
        } catch (OutOfMemoryError e) {
            int w = image.width(), h = image.height();
            image = null;   // let the decoded pixels go before anything else is allocated
            throw new UnusableImageException(ImageDecoder.outOfMemory("processing", w, h, "image"));
        }
    }

    /**
     * The run's model (every ensemble member) and, with --cam, its activation maps; loaded when the first usable photo
     * needs them, so that a run of unusable photos needs no model at all.
     */
    private final class Scorer implements AutoCloseable {
        private final RunFolder folder;
        private final RunConfig cfg;
        private final Preprocessing prep;
        private final Set<String> camStems = new HashSet<>();   // --cam file names, unique over the whole run
        private Backend backend;
        private TrainingRun.Loaded loaded;
        private final List<FeatureExtractor> extractors = new ArrayList<>();
        private final List<Trainer> heads = new ArrayList<>();
        private final List<TrainingRun.Loaded> members = new ArrayList<>();
        private ClassActivationMaps maps;

        Scorer(RunFolder folder, RunConfig cfg, Preprocessing prep) {
            this.folder = folder;
            this.cfg = cfg;
            this.prep = prep;
        }

        private void open() {
            backend = device.open();
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

        /** Fills in the results of the usable photos among {@code results} (the others hold their error). */
        void score(List<Path> photos, byte[] pixels, List<Map<String, Object>> results) throws java.io.IOException {
            if (photos.isEmpty()) return;
            if (backend == null) open();
            int n = photos.size();
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
            List<Path> written = cam == null ? List.of() : cams(photos, pixels, p);
            int i = 0;
            for (Map<String, Object> r : results) {
                if (r.containsKey("error")) continue;
                r.putAll(result(photos.get(i), p.probabilities()[i], cfg.classes));
                if (cam != null) r.put("cam", written.get(2 * i).toString());   // png, npy per photo
                i++;
            }
        }

        /** Writes the Grad-CAM of each photo's predicted class (at the layer the head reads). */
        private List<Path> cams(List<Path> photos, byte[] pixels, Predictions p) throws java.io.IOException {
            int[] top = p.predicted();
            int[][] classes = new int[photos.size()][];
            for (int i = 0; i < photos.size(); i++) classes[i] = new int[] {top[i]};
            return CamWriter.write(maps, prep, photos, pixels, maps.cut(), classes, List.of(CamMethod.GRADCAM),
                    cfg.classes, cam, Progress.SILENT, null, camStems);
        }

        @Override
        public void close() {
            if (backend != null) backend.close();
        }
    }

    /** Where results go, as they come. */
    private interface Output {
        void write(List<Map<String, Object>> results) throws java.io.IOException;

        void end() throws java.io.IOException;
    }

    /** Text: each photo's class and top classes (the skipped ones are named on stderr). */
    private static final class TextOutput implements Output {
        @Override
        public void write(List<Map<String, Object>> results) {
            for (Map<String, Object> r : results) {
                if (r.containsKey("error")) continue;
                System.out.printf("%s: %s%n", r.get("image"), r.get("class"));
                @SuppressWarnings("unchecked")
                List<Map<String, Object>> topk = (List<Map<String, Object>>) r.get("top");
                for (Map<String, Object> t : topk) System.out.printf("    %-24s %5.1f %%%n", t.get("class"), 100 * (Double) t.get("probability"));
                if (r.containsKey("cam")) System.out.printf("    Grad-CAM: %s%n", r.get("cam"));
            }
            System.out.flush();
        }

        @Override
        public void end() {
        }
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

    private Map<String, Object> result(Path image, float[] probs, List<String> classes) {
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
        r.put("image", image.toString());
        r.put("class", classes.get(order.get(0)));
        r.put("top", topk);
        return r;
    }
}
