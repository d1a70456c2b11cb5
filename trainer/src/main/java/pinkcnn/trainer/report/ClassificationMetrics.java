package pinkcnn.trainer.report;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalDouble;

/**
 * How well one set of predictions matches the truth: accuracy, macro-F1, per-class precision, recall, F1 and support,
 * the confusion matrix, and (when class probabilities were given) the mean log-loss.
 *
 * <p>Everything except the log-loss follows from the confusion matrix {@code [true][predicted]}, which is what this
 * class keeps, so a report read back from JSON yields the same figures.
 *
 * <p>Conventions, the same as scikit-learn's {@code precision_recall_fscore_support(labels=range(K),
 * zero_division=0)}: a class never predicted has precision 0; a class with no true samples has recall 0; a class
 * whose precision and recall are both 0 has F1 0. Macro-F1 is the plain mean of the per-class F1 over <em>all</em>
 * listed classes, so a class absent from both truth and predictions counts as F1 0 and pulls the mean down. An empty
 * set has accuracy 0.
 */
public final class ClassificationMetrics {

    /** Probabilities are clipped to this before the logarithm, so one confident mistake costs −ln(1e-12) ≈ 27.6. */
    public static final double LOG_LOSS_FLOOR = 1e-12;

    /** Precision, recall, F1 and support (true samples) of one class. */
    public record ClassScores(String className, double precision, double recall, double f1, int support) {}

    private final List<String> classNames;
    private final int[][] confusion;
    private final int samples;
    private final double logLoss;   // NaN: unknown

    private ClassificationMetrics(List<String> classNames, int[][] confusion, double logLoss) {
        this.classNames = List.copyOf(classNames);
        this.confusion = confusion;
        int n = 0;
        for (int[] row : confusion) for (int v : row) n += v;
        this.samples = n;
        this.logLoss = logLoss;
    }

    /** Metrics of hard predictions (no log-loss). */
    public static ClassificationMetrics of(int[] truth, int[] predicted, List<String> classNames) {
        return new ClassificationMetrics(checkedNames(classNames), count(truth, predicted, classNames.size()), Double.NaN);
    }

    /**
     * Metrics of class probabilities ({@code probabilities[i][c]}, one row per sample): the prediction is the most
     * probable class (the first one on ties), and the log-loss is the mean of −ln p(true class).
     */
    public static ClassificationMetrics fromProbabilities(int[] truth, float[][] probabilities, List<String> classNames) {
        int[] predicted = new int[probabilities.length];
        for (int i = 0; i < predicted.length; i++) predicted[i] = argmax(probabilities[i]);
        return of(truth, predicted, probabilities, classNames);
    }

    /** Metrics of hard predictions with the probabilities they came from (for the log-loss). */
    public static ClassificationMetrics of(int[] truth, int[] predicted, float[][] probabilities, List<String> classNames) {
        int[][] confusion = count(truth, predicted, checkedNames(classNames).size());
        if (probabilities.length != truth.length) {
            throw new IllegalArgumentException(probabilities.length + " probability rows for " + truth.length + " samples");
        }
        double sum = 0;
        for (int i = 0; i < truth.length; i++) {
            if (probabilities[i].length != classNames.size()) {
                throw new IllegalArgumentException("probability row " + i + " has " + probabilities[i].length
                        + " entries, expected " + classNames.size());
            }
            sum -= Math.log(Math.max(probabilities[i][truth[i]], LOG_LOSS_FLOOR));
        }
        return new ClassificationMetrics(classNames, confusion, truth.length == 0 ? Double.NaN : sum / truth.length);
    }

    /** Rebuilds metrics from a confusion matrix {@code [true][predicted]}; {@code logLoss} is NaN when unknown. */
    public static ClassificationMetrics fromConfusion(int[][] confusion, List<String> classNames, double logLoss) {
        int k = checkedNames(classNames).size();
        if (confusion.length != k) {
            throw new IllegalArgumentException("confusion matrix has " + confusion.length + " rows for " + k + " classes");
        }
        int[][] copy = new int[k][];
        for (int t = 0; t < k; t++) {
            if (confusion[t].length != k) {
                throw new IllegalArgumentException("confusion matrix row " + t + " has " + confusion[t].length
                        + " columns for " + k + " classes");
            }
            for (int v : confusion[t]) if (v < 0) throw new IllegalArgumentException("negative count in the confusion matrix");
            copy[t] = confusion[t].clone();
        }
        return new ClassificationMetrics(classNames, copy, logLoss);
    }

    private static List<String> checkedNames(List<String> classNames) {
        if (classNames.isEmpty()) throw new IllegalArgumentException("no class names");
        if (new HashSet<>(classNames).size() != classNames.size()) {
            throw new IllegalArgumentException("class names repeat: " + classNames);
        }
        return classNames;
    }

    private static int[][] count(int[] truth, int[] predicted, int classes) {
        if (truth.length != predicted.length) {
            throw new IllegalArgumentException(truth.length + " true labels but " + predicted.length + " predictions");
        }
        int[][] m = new int[classes][classes];
        for (int i = 0; i < truth.length; i++) {
            if (truth[i] < 0 || truth[i] >= classes || predicted[i] < 0 || predicted[i] >= classes) {
                throw new IllegalArgumentException("sample " + i + ": label " + truth[i] + ", prediction " + predicted[i]
                        + " outside 0.." + (classes - 1));
            }
            m[truth[i]][predicted[i]]++;
        }
        return m;
    }

    private static int argmax(float[] v) {
        int best = 0;
        for (int j = 1; j < v.length; j++) if (v[j] > v[best]) best = j;
        return best;
    }

    public List<String> classNames() {
        return classNames;
    }

    public int classCount() {
        return classNames.size();
    }

    /** Number of samples scored. */
    public int samples() {
        return samples;
    }

    /** Fraction of samples predicted right (0 for an empty set). */
    public double accuracy() {
        int right = 0;
        for (int c = 0; c < confusion.length; c++) right += confusion[c][c];
        return samples == 0 ? 0 : right / (double) samples;
    }

    /** Mean of the per-class F1 over all classes (see the class comment for empty classes). */
    public double macroF1() {
        double sum = 0;
        for (int c = 0; c < confusion.length; c++) sum += f1(c);
        return sum / confusion.length;
    }

    /** Mean −ln p(true class), when probabilities were given. */
    public OptionalDouble logLoss() {
        return Double.isNaN(logLoss) ? OptionalDouble.empty() : OptionalDouble.of(logLoss);
    }

    /** Of the samples predicted as {@code c}, the fraction that are {@code c} (0 when none are predicted as c). */
    public double precision(int c) {
        int predicted = predictedCount(c);
        return predicted == 0 ? 0 : confusion[c][c] / (double) predicted;
    }

    /** Of the samples of class {@code c}, the fraction predicted as {@code c} (0 when there are none). */
    public double recall(int c) {
        int support = support(c);
        return support == 0 ? 0 : confusion[c][c] / (double) support;
    }

    /** Harmonic mean of precision and recall: 2·tp / (2·tp + fp + fn); 0 when tp = 0. */
    public double f1(int c) {
        int tp = confusion[c][c];
        int denominator = support(c) + predictedCount(c);   // = 2·tp + fn + fp
        return tp == 0 ? 0 : 2.0 * tp / denominator;
    }

    /** True samples of class {@code c} (row sum). */
    public int support(int c) {
        int s = 0;
        for (int v : confusion[c]) s += v;
        return s;
    }

    /** Samples predicted as class {@code c} (column sum). */
    public int predictedCount(int c) {
        int s = 0;
        for (int[] row : confusion) s += row[c];
        return s;
    }

    /** Samples of class {@code truth} predicted as {@code predicted}. */
    public int count(int truth, int predicted) {
        return confusion[truth][predicted];
    }

    /** A copy of the confusion matrix, {@code [true][predicted]}. */
    public int[][] confusion() {
        int[][] copy = new int[confusion.length][];
        for (int t = 0; t < confusion.length; t++) copy[t] = confusion[t].clone();
        return copy;
    }

    /** Scores of every class, in class order. */
    public List<ClassScores> perClass() {
        List<ClassScores> out = new ArrayList<>(classNames.size());
        for (int c = 0; c < classNames.size(); c++) {
            out.add(new ClassScores(classNames.get(c), precision(c), recall(c), f1(c), support(c)));
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ClassificationMetrics m && classNames.equals(m.classNames)
                && Arrays.deepEquals(confusion, m.confusion) && Double.compare(logLoss, m.logLoss) == 0;
    }

    @Override
    public int hashCode() {
        return 31 * classNames.hashCode() + Arrays.deepHashCode(confusion);
    }

    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT, "%d samples, accuracy %.4f, macro-F1 %.4f", samples, accuracy(), macroF1());
    }
}
