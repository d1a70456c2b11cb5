package pinkcnn.trainer.cam;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine;

/**
 * How a class activation map is made from a layer's activations A (h×w×C) and, except for EigenCAM, the gradient
 * g = ∂y_c/∂A of the class score y_c (the logit, before softmax). The formulas are in {@link CamMaps} and
 * docs/cam.md.
 */
public enum CamMethod {
    /** Selvaraju et al., ICCV 2017: ReLU(Σ_k w_k A_k), w_k the spatial mean of g_k. */
    GRADCAM("gradcam", "Grad-CAM", true),
    /** Chattopadhay et al., WACV 2018: Grad-CAM with weights that sum positive gradients, each scaled by α. */
    GRADCAM_PLUS_PLUS("gradcam++", "Grad-CAM++", true),
    /** Draelos and Carin, 2020: ReLU(Σ_k g_k ⊙ A_k), no spatial averaging of the gradient. */
    HIRESCAM("hirescam", "HiResCAM", true),
    /** Muhammad and Yeasin, 2020: the activations projected on their first principal component; no gradient. */
    EIGENCAM("eigencam", "EigenCAM", false);

    private final String id, title;
    private final boolean gradient;

    CamMethod(String id, String title, boolean gradient) {
        this.id = id;
        this.title = title;
        this.gradient = gradient;
    }

    /** The spelling on the command line and in file names. */
    public String id() {
        return id;
    }

    /** The name in figure titles. */
    public String title() {
        return title;
    }

    /** Whether the method needs the class score's gradient (a backward pass). */
    public boolean needsGradient() {
        return gradient;
    }

    /** The map (h·w values, row-major) from activations a and gradient g (h×w×c, NHWC; g unused by EigenCAM). */
    public float[] map(float[] a, float[] g, int h, int w, int c) {
        return switch (this) {
            case GRADCAM -> CamMaps.gradCam(a, g, h, w, c);
            case GRADCAM_PLUS_PLUS -> CamMaps.gradCamPlusPlus(a, g, h, w, c);
            case HIRESCAM -> CamMaps.hiResCam(a, g, h, w, c);
            case EIGENCAM -> CamMaps.eigenCam(a, h, w, c);
        };
    }

    public static CamMethod parse(String s) {
        String k = s.trim().toLowerCase(Locale.ROOT);
        for (CamMethod m : values()) if (m.id.equals(k)) return m;
        throw new IllegalArgumentException("unknown method '" + s + "': use " + String.join(", ", ids()));
    }

    public static List<String> ids() {
        List<String> out = new ArrayList<>();
        for (CamMethod m : values()) out.add(m.id);
        return out;
    }

    /** Picocli's converter for {@code --method}: the spellings above ("gradcam++" is no Java name). */
    public static final class Converter implements CommandLine.ITypeConverter<CamMethod> {
        @Override
        public CamMethod convert(String value) {
            try {
                return parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    /** The spellings, for picocli's help and completion. */
    public static final class Candidates extends ArrayList<String> {
        public Candidates() {
            super(ids());
        }
    }
}
