package pinkcnn.trainer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
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

    @Override
    public Integer call() throws Exception {
        if (maxPixels < 1) throw new UserError("--max-pixels must be at least 1");
        RunFolder folder = run.folder();
        RunConfig cfg = folder.readConfig();
        Preprocessing prep = new Preprocessing(cfg.inputSize, cfg.crop, cfg.cropFraction);
        List<Path> ok = new ArrayList<>();
        List<Map<String, Object>> results = new ArrayList<>();
        byte[] all = new byte[images.size() * cfg.inputSize * cfg.inputSize * 3];
        for (Path p : images) {
            try {
                byte[] px = prep.apply(ImageDecoder.decode(p, maxPixels));
                System.arraycopy(px, 0, all, ok.size() * px.length, px.length);
                ok.add(p);
            } catch (UnusableImageException e) {
                System.err.println("skipped " + p + ": " + e.getMessage());
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("image", p.toString());
                r.put("error", e.getMessage());
                results.add(r);
            }
        }
        if (!ok.isEmpty()) {
            try (Backend backend = device.open()) {
                TrainingRun.Loaded loaded = TrainingRun.load(folder, backend);
                List<Predictions> members = new ArrayList<>();
                for (int k = 0; k < cfg.ensemble; k++) {
                    TrainingRun.Loaded m = loaded.member(k, folder, backend);
                    FeatureExtractor fx = new FeatureExtractor(backend, m.backbone(), folder.member(k).model(), cfg.batch, false,
                            pinkcnn.trainer.data.Progress.SILENT);
                    List<FeatureSet> views = new ArrayList<>();
                    for (boolean mirrored : cfg.tta.views()) {
                        views.add(fx.extract(all, ok.size(), cfg.inputSize, m.model().inputs(), cfg.frozen() ? cfg.pool : Pool.NONE, mirrored));
                    }
                    members.add(new Trainer(backend, m.model(), null, cfg.batch, cfg.classes.size(), cfg.seed, null,
                            pinkcnn.trainer.data.Progress.SILENT).predict(views));
                }
                Predictions p = Predictions.average(members);
                List<Map<String, Object>> predicted = new ArrayList<>();
                for (int i = 0; i < ok.size(); i++) predicted.add(result(ok.get(i), p.probabilities()[i], cfg.classes));
                if (cam != null) addCams(backend, loaded, prep, ok, all, p, predicted);
                results.addAll(predicted);
            }
        }
        if (json) {
            System.out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(Map.of("predictions", results)));
        } else {
            for (Map<String, Object> r : results) {
                if (r.containsKey("error")) continue;
                System.out.printf("%s: %s%n", r.get("image"), r.get("class"));
                @SuppressWarnings("unchecked")
                List<Map<String, Object>> topk = (List<Map<String, Object>>) r.get("top");
                for (Map<String, Object> t : topk) System.out.printf("    %-24s %5.1f %%%n", t.get("class"), 100 * (Double) t.get("probability"));
                if (r.containsKey("cam")) System.out.printf("    Grad-CAM: %s%n", r.get("cam"));
            }
        }
        return ok.size() == images.size() ? 0 : 1;
    }

    /** Writes the Grad-CAM of each photo's predicted class (at the layer the head reads); adds its PNG to the result. */
    private void addCams(Backend backend, TrainingRun.Loaded loaded, Preprocessing prep, List<Path> ok, byte[] all,
                         Predictions p, List<Map<String, Object>> predicted) throws java.io.IOException {
        int[] top = p.predicted();
        int[][] classes = new int[ok.size()][];
        for (int i = 0; i < ok.size(); i++) classes[i] = new int[] {top[i]};
        ClassActivationMaps maps = ClassActivationMaps.of(backend, loaded);
        List<Path> written = CamWriter.write(maps, prep, ok, all, maps.cut(), classes, List.of(CamMethod.GRADCAM),
                loaded.cfg().classes, cam, pinkcnn.trainer.data.Progress.SILENT, null);
        for (int i = 0; i < ok.size(); i++) predicted.get(i).put("cam", written.get(2 * i).toString()); // png, npy per photo
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
