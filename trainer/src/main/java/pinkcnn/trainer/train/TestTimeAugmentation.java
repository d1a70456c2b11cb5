package pinkcnn.trainer.train;

import java.util.List;
import pinkcnn.trainer.Choice;

/**
 * Test-time augmentation: how many views of a photo are scored. With {@code flip} a photo is scored as it is and
 * mirrored left–right, and the two views' class probabilities are averaged. Faces are nearly symmetric and training
 * already sees mirrored copies, so the mirror is an equally good second look; averaging two looks cancels part of
 * the model's variance. Dev scoring during training uses the same views, so early stopping sees what evaluation sees.
 */
public enum TestTimeAugmentation implements Choice {
    NONE(List.of(false)),
    FLIP(List.of(false, true));

    private final List<Boolean> mirrored;

    TestTimeAugmentation(List<Boolean> mirrored) {
        this.mirrored = mirrored;
    }

    /** One entry per view: whether that view is mirrored. */
    public List<Boolean> views() {
        return mirrored;
    }

    public static TestTimeAugmentation parse(String s) {
        return Choice.parse(TestTimeAugmentation.class, s, "test-time augmentation");
    }

    @Override
    public String toString() {
        return id();
    }

    /** For picocli: {@code --tta none|flip}. */
    public static final class Converter extends Choice.Converter<TestTimeAugmentation> {
        public Converter() {
            super(TestTimeAugmentation.class);
        }
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
