package pinkcnn.trainer.train;

import java.util.List;
import java.util.Locale;
import pinkcnn.trainer.UserError;

/**
 * Test-time augmentation: how many views of a photo are scored. With {@code flip} a photo is scored as it is and
 * mirrored left–right, and the two views' class probabilities are averaged. Faces are nearly symmetric and training
 * already sees mirrored copies, so the mirror is an equally good second look; averaging two looks cancels part of
 * the model's variance. Dev scoring during training uses the same views, so early stopping sees what evaluation sees.
 */
public enum TestTimeAugmentation {
    NONE(List.of(false)),
    FLIP(List.of(false, true));

    /** The default, chosen by cross-validated dev accuracy (README, "Choosing the defaults"). */
    public static final String DEFAULT = "none";

    private final List<Boolean> mirrored;

    TestTimeAugmentation(List<Boolean> mirrored) {
        this.mirrored = mirrored;
    }

    /** One entry per view: whether that view is mirrored. */
    public List<Boolean> views() {
        return mirrored;
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static TestTimeAugmentation parse(String s) {
        for (TestTimeAugmentation t : values()) if (t.id().equals(s)) return t;
        throw new UserError("unknown test-time augmentation '" + s + "': use none or flip");
    }

    /** Mirrors NHWC images left–right in place. */
    static void mirror(float[] pixels, int n, int height, int width, int channels) {
        for (int row = 0; row < n * height; row++) {
            int base = row * width * channels;
            for (int l = 0, r = width - 1; l < r; l++, r--) {
                for (int c = 0; c < channels; c++) {
                    int a = base + l * channels + c, b = base + r * channels + c;
                    float t = pixels[a];
                    pixels[a] = pixels[b];
                    pixels[b] = t;
                }
            }
        }
    }
}
