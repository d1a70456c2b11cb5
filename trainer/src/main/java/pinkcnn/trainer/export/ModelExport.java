package pinkcnn.trainer.export;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import pinkcnn.engine.backend.Backend;
import pinkcnn.engine.io.KerasWeights;
import pinkcnn.engine.nn.Graph;
import pinkcnn.trainer.UserError;
import pinkcnn.trainer.train.RunConfig;
import pinkcnn.trainer.train.RunFolder;
import pinkcnn.trainer.train.TestTimeAugmentation;
import pinkcnn.trainer.train.TrainingRun;

/**
 * Exports a trained run, or a bare backbone, to the formats other tools read: ONNX (for ONNX Runtime and every
 * runtime that reads ONNX) and the Keras weights layout (to go on training in Keras/TensorFlow). Usable from code, e.g.
 * to compare pinkcnn with ONNX Runtime on the same model: {@link #onnxBackbone} and {@link #onnxClassifier} return the
 * serialised model; {@link OnnxExport#write} writes it atomically.
 *
 * <p>The exported classifier computes what {@code pinkcnn predict} computes from the preprocessed photo on: the
 * backbone up to the run's cut, the grid pooling (a layer here even when training pooled cached features on the
 * host), the head (dropout is the identity), softmax, and, as the run was evaluated, the mean over the mirrored
 * test-time view and over ensemble members. The crop, resize and pixel scaling stay outside the model and are
 * described in its metadata ({@link ExportSpec}).
 */
public final class ModelExport {
    /** The classifier's output: N × classes probabilities, in the order of the metadata's "classes". */
    public static final String PROBABILITIES = "probabilities";

    private ModelExport() {}

    /** The layers of {@code backbone} up to and including {@code last} as an ONNX model (input "input", output {@code last}). */
    public static byte[] onnxBackbone(Graph backbone, String last, double alpha) {
        return OnnxExport.graph(backbone, last, metadata(backboneSpec(backbone, last, alpha)));
    }

    /** The description of a bare MobileNetV2 backbone export. */
    static ExportSpec backboneSpec(Graph backbone, String last, double alpha) {
        int[] in = backbone.outputShape(Graph.INPUT), out = backbone.outputShape(last);
        return ExportSpec.backbone(in[1])
                .backboneLayers("MobileNetV2", alpha, last, out)
                .output(last, List.of("N", out[1], out[2], out[3]), "the activations of layer " + last + ", NHWC");
    }

    /**
     * A trained run's whole classifier as an ONNX model.
     *
     * @param member one ensemble member (0 = the run's own model), or null for the run as evaluated (all members)
     */
    public static byte[] onnxClassifier(RunFolder run, Backend backend, Integer member) {
        TrainingRun.Loaded loaded = load(run, backend);
        RunConfig cfg = loaded.cfg();
        List<Integer> members = members(run, cfg, member);
        TestTimeAugmentation tta = cfg.tta;
        int views = tta.views().size();
        try {
            OnnxBuilder b = new OnnxBuilder("pinkcnn_classifier").reserve(PROBABILITIES);
            OnnxValue x = b.input(OnnxExport.INPUT, cfg.inputSize, cfg.inputSize, 3);
            if (views == 2) x = b.withMirrored(x, "views"); // the batch, then its mirror image
            List<OnnxValue> probabilities = new ArrayList<>();
            for (int k : members) {
                TrainingRun.Loaded m = loaded.member(k, run, backend);
                String prefix = members.size() > 1 ? "member" + k + "/" : "";
                OnnxValue v = b.graph(m.backbone(), x, m.cfg().cutLayer, prefix);
                int grid = hostGrid(m.cfg());
                if (grid > 0) v = b.gridAveragePool(v, grid, prefix + "grid_average_pooling2d");
                v = b.softmax(b.layers(m.model().head(), v, prefix), prefix + "softmax");
                if (views > 1) v = b.meanOfViews(v, views, prefix + "mean_of_views");
                probabilities.add(v);
            }
            b.output(b.mean(probabilities, "mean_of_members"), PROBABILITIES);
            ExportSpec spec = classifierSpec(loaded, members.size());
            metadata(spec).forEach(b::metadata);
            b.doc("pinkcnn classifier of " + cfg.classes.size() + " classes (" + String.join(", ", cfg.classes)
                    + "). Photos: " + ExportSpec.preprocessing(cfg.inputSize, String.valueOf(cfg.crop), cfg.cropFraction)
                    + ". Input: " + ExportSpec.SCALING + ". Metadata '" + ExportSpec.KEY + "' describes it all.");
            b.producerVersion(version());
            return b.toBytes();
        } catch (IllegalArgumentException e) {
            throw new UserError(run.dir() + ": cannot export this run: " + e.getMessage());
        }
    }

    /**
     * A trained run's whole classifier (backbone up to the cut, then the head) in the Keras weights layout, with the
     * {@link ExportSpec} as the root attribute {@value ExportSpec#KEY}. One model per file: an ensemble needs a member.
     */
    public static KerasWeights kerasClassifier(RunFolder run, Backend backend, Integer member) {
        TrainingRun.Loaded loaded = load(run, backend);
        List<Integer> members = members(run, loaded.cfg(), member);
        if (members.size() > 1) {
            throw new UserError(run.dir() + " is an ensemble of " + members.size() + " models and a Keras file holds one: "
                    + "add --member K (0 … " + (members.size() - 1) + "), or export --format onnx, which averages them");
        }
        TrainingRun.Loaded m = loaded.member(members.get(0), run, backend);
        ExportSpec spec = classifierSpec(m, 1);
        if (member != null) spec.put("member", member);
        return m.model().modelWeights().withAttribute(ExportSpec.KEY, spec.toJson());
    }

    /** A bare backbone's weights up to {@code last} in the Keras layout, described as {@link #onnxBackbone} is. */
    public static KerasWeights kerasBackbone(Graph backbone, String last, double alpha) {
        return pinkcnn.engine.io.GraphWeights.of(backbone).upTo(last)
                .withAttribute(ExportSpec.KEY, backboneSpec(backbone, last, alpha).toJson());
    }

    private static TrainingRun.Loaded load(RunFolder run, Backend backend) {
        try {
            return TrainingRun.load(run, backend);
        } catch (IllegalArgumentException e) {
            // a run.json that parses but names no layer, head or pool this model has
            throw new UserError(run.config() + ": " + e.getMessage());
        }
    }

    private static List<Integer> members(RunFolder run, RunConfig cfg, Integer member) {
        int n = Math.max(1, cfg.ensemble);
        if (member != null) {
            if (member < 0 || member >= n) {
                throw new UserError("--member " + member + ": " + run.dir() + " has " + (n == 1 ? "one model (member 0)"
                        : n + " members (0 … " + (n - 1) + ")"));
            }
            return List.of(member);
        }
        List<Integer> all = new ArrayList<>();
        for (int k = 0; k < n; k++) all.add(k);
        return all;
    }

    /** The grid a frozen run pooled its cached features with (0: none); fine-tuned runs pool inside the head. */
    private static int hostGrid(RunConfig cfg) {
        return cfg.frozen() ? cfg.pool.gridSize() : 0;
    }

    private static ExportSpec classifierSpec(TrainingRun.Loaded m, int members) {
        RunConfig cfg = m.cfg();
        ExportSpec spec = ExportSpec.classifier(cfg.classes, cfg.inputSize, String.valueOf(cfg.crop), cfg.cropFraction)
                .backboneLayers("MobileNetV2", cfg.alpha, cfg.cutLayer, m.backbone().outputShape(cfg.cutLayer))
                .head(m.model().head(), hostGrid(cfg))
                .output(PROBABILITIES, List.of("N", cfg.classes.size()),
                        "softmax of the last Dense layer: class probabilities in the order of 'classes'");
        spec.put("test_time_augmentation", cfg.tta.id());
        spec.put("ensemble", members);
        return spec;
    }

    private static Map<String, String> metadata(ExportSpec spec) {
        Map<String, Object> s = spec.asMap();
        Map<String, String> m = new java.util.LinkedHashMap<>();
        m.put(ExportSpec.KEY, spec.toJson());
        m.put("input_scaling", ExportSpec.SCALING);
        if (s.containsKey("classes")) {
            m.put("classes", ExportSpec.json(s.get("classes")));
            @SuppressWarnings("unchecked")
            Map<String, Object> prep = (Map<String, Object>) s.get("preprocessing");
            m.put("preprocessing", (String) prep.get("description"));
        }
        return m;
    }

    private static String version() {
        java.util.Properties p = new java.util.Properties();
        try (java.io.InputStream in = ModelExport.class.getResourceAsStream("/pinkcnn/version.properties")) {
            if (in != null) p.load(in);
        } catch (java.io.IOException e) {
            // no version then
        }
        return p.getProperty("version", "");
    }
}
