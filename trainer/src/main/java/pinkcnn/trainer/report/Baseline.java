package pinkcnn.trainer.report;

/**
 * Accuracies of another model to compare a run with (fractions; NaN where not known), e.g. a linear classifier on raw
 * pixels, or the figures the original Keras project published.
 */
public record Baseline(String name, double trainAccuracy, double devAccuracy, double testAccuracy, String note) {

    /**
     * What the original Keras project (frozen MobileNetV2 with a small head) reported for its own train/dev/test split
     * of the same four people: train 74.3 %, dev 41.3 %, test 42.5 %.
     */
    public static final Baseline ORIGINAL_KERAS_PROJECT = new Baseline("original Keras project", 0.743, 0.413, 0.425,
            "figures published by the Keras transfer-learning project this one reproduces (its own split)");

    public Baseline {
        if (name == null || name.isBlank()) throw new IllegalArgumentException("a baseline needs a name");
        if (note == null) note = "";
    }

    /** A baseline measured here; {@code train} may be null when it was not scored on the training set. */
    public static Baseline measured(String name, ClassificationMetrics train, ClassificationMetrics dev,
                                    ClassificationMetrics test, String note) {
        return new Baseline(name, accuracy(train), accuracy(dev), accuracy(test), note);
    }

    private static double accuracy(ClassificationMetrics m) {
        return m == null ? Double.NaN : m.accuracy();
    }
}
