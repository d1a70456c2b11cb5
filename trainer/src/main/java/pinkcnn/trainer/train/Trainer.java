package pinkcnn.trainer.train;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import pinkcnn.engine.Autograd;
import pinkcnn.engine.Tensor;
import pinkcnn.engine.TensorScope;
import pinkcnn.engine.backend.Backend;
import pinkcnn.engine.io.Weight;
import pinkcnn.engine.ops.Functional;
import pinkcnn.engine.optim.Optimizer;
import pinkcnn.trainer.data.Progress;
import pinkcnn.trainer.report.EpochRow;

/**
 * Mini-batch training of a {@link Classifier} on cached features: each epoch shuffles the training set with a seed
 * derived from (seed, epoch) — so a resumed run sees the same batches — takes one optimizer step per batch, and
 * scores the dev set. The best dev accuracy's weights are kept (ties: lower dev loss); training stops after
 * {@code patience} epochs without improvement, or at once when it diverges: a loss that is not finite or explodes
 * (above {@link #LOSS_LIMIT_TIMES_CHANCE} × the loss of guessing), or weights that are not finite or explode (above
 * {@link #WEIGHT_GROWTH_LIMIT} × their largest magnitude at the start). A diverged epoch is never kept as the best.
 */
public final class Trainer {
    /** Called after every epoch, e.g. to log, checkpoint or stop; return false to stop. */
    public interface Listener {
        boolean onEpoch(EpochRow stats, boolean best);
    }

    /**
     * A batch loss this many times ln(classes), the loss of a uniform guess, means logits hundreds apart in the wrong
     * direction: no useful run gets there, and an exploding one passes it long before the loss overflows.
     */
    static final double LOSS_LIMIT_TIMES_CHANCE = 100;

    /**
     * Trained weights that grow this many times beyond their largest magnitude at the start (at least 1) have
     * exploded (an SGD step too large makes them grow geometrically, to 1e30 and beyond, before the loss overflows).
     */
    static final double WEIGHT_GROWTH_LIMIT = 1e3;

    /** Thrown when training diverges: the loss or the weights are not finite or explode. */
    public static final class DivergedException extends RuntimeException {
        public DivergedException(String message) {
            super(message);
        }
    }

    private final Backend backend;
    private final Classifier model;
    private final Optimizer optimizer;
    private final int batch, classes;
    private final long seed;
    private final float[] classWeights;
    private final Progress.Factory progress;
    private final float baseLearningRate;
    private LearningRateSchedule schedule = LearningRateSchedule.CONSTANT;
    private float labelSmoothing;

    private double bestDevAccuracy = -1, bestDevLoss = Double.POSITIVE_INFINITY;
    private int bestEpoch;
    private Map<String, List<Weight>> best;
    /** The largest weight magnitude allowed (from the weights at the start of {@link #fit}). */
    private double weightLimit = Double.NaN;

    public Trainer(Backend backend, Classifier model, Optimizer optimizer, int batch, int classes, long seed,
                   float[] classWeights, Progress.Factory progress) {
        this.backend = backend;
        this.model = model;
        this.optimizer = optimizer;
        this.batch = batch;
        this.classes = classes;
        this.seed = seed;
        this.classWeights = classWeights;
        this.progress = progress;
        this.baseLearningRate = optimizer == null ? 0f : optimizer.learningRate();
    }

    /** ε of label smoothing for the training loss (dev and test are always scored against the true labels). */
    public void setLabelSmoothing(float epsilon) {
        this.labelSmoothing = epsilon;
    }

    /** How the learning rate changes from epoch to epoch (from the optimizer's rate at construction). */
    public void setSchedule(LearningRateSchedule schedule) {
        this.schedule = schedule;
    }

    /**
     * Trains epochs [firstEpoch, epochs]; returns the epoch of the best dev accuracy; the best weights are restored.
     * The dev set is scored as the mean of its views (one, or more with test-time augmentation).
     */
    public int fit(FeatureSet train, List<FeatureSet> devViews, int firstEpoch, int epochs, int patience, Listener listener) {
        weightLimit = WEIGHT_GROWTH_LIMIT * Math.max(1, largestWeight());
        for (int epoch = firstEpoch; epoch <= epochs; epoch++) {
            if (epoch > 1 && epoch - 1 - bestEpoch >= patience) break; // a resumed run that had already stopped early
            long t0 = System.nanoTime();
            optimizer.setLearningRate(schedule.rate(baseLearningRate, epoch, epochs));
            double[] trainStats = trainEpoch(train, epoch);
            checkWeights(epoch);
            Predictions devPred = predict(devViews);
            double devAcc = devPred.accuracy(), devLoss = devPred.loss();
            boolean improved = devAcc > bestDevAccuracy || (devAcc == bestDevAccuracy && devLoss < bestDevLoss);
            if (improved) {
                bestDevAccuracy = devAcc;
                bestDevLoss = devLoss;
                bestEpoch = epoch;
                best = model.snapshot();
            }
            EpochRow stats = new EpochRow(epoch, trainStats[0], trainStats[1], devLoss, devAcc,
                    (System.nanoTime() - t0) / 1e9, optimizer.learningRate());
            boolean go = listener.onEpoch(stats, improved);
            if (!go || epoch - bestEpoch >= patience) break;
        }
        if (best != null) model.restore(best);
        return bestEpoch;
    }

    /** State for resuming: the best epoch so far and its scores. */
    public void setBest(int epoch, double devAccuracy, double devLoss, Map<String, List<Weight>> weights) {
        bestEpoch = epoch;
        bestDevAccuracy = devAccuracy;
        bestDevLoss = devLoss;
        best = weights;
    }

    public Map<String, List<Weight>> bestWeights() {
        return best;
    }

    public int bestEpoch() {
        return bestEpoch;
    }

    public double bestDevAccuracy() {
        return bestDevAccuracy;
    }

    public double bestDevLoss() {
        return bestDevLoss;
    }

    /** One epoch; returns {mean loss, accuracy}. */
    private double[] trainEpoch(FeatureSet train, int epoch) {
        int n = train.count();
        int[] order = shuffled(n, new Random(seed * 1_000_003L + epoch));
        model.setTraining(true);
        double lossLimit = LOSS_LIMIT_TIMES_CHANCE * Math.log(Math.max(2, classes));
        double lossSum = 0;
        int correct = 0;
        try (Progress bar = progress.phase("epoch " + epoch, n)) {
            for (int start = 0; start < n; start += batch) {
                int count = Math.min(batch, n - start);
                int[] idx = java.util.Arrays.copyOfRange(order, start, start + count);
                int[] labels = new int[count];
                float[] weights = new float[count];
                for (int k = 0; k < count; k++) {
                    labels[k] = train.labels()[idx[k]];
                    weights[k] = classWeights == null ? 1f : classWeights[labels[k]];
                }
                try (TensorScope scope = TensorScope.open()) {
                    Tensor logits = model.logits(batchOf(train, idx));
                    Tensor targets = Tensor.of(backend, Functional.smoothedOneHot(labels, classes, labelSmoothing), count, classes);
                    Tensor loss = classWeights == null
                            ? Functional.softmaxCrossEntropy(logits, targets)
                            : Functional.weightedSoftmaxCrossEntropy(logits, targets, weights);
                    if (model.activityL2() > 0) loss = Functional.add(loss, Functional.softmaxActivityL2(logits, model.activityL2()));
                    float value = loss.item();
                    if (!Float.isFinite(value)) {
                        throw new DivergedException("the training loss became " + value + " in epoch " + epoch
                                + " (try a lower --lr)");
                    }
                    if (value > lossLimit) {
                        throw new DivergedException(String.format(java.util.Locale.ROOT, "the training loss exploded to %.3g "
                                + "in epoch %d, %.0f times that of guessing (try a lower --lr)", value, epoch,
                                value / Math.log(Math.max(2, classes))));
                    }
                    loss.backward();
                    optimizer.step(model.trainableWeights());
                    lossSum += value * count;
                    float[] z = logits.toArray();
                    for (int k = 0; k < count; k++) {
                        if (Predictions.argmax(java.util.Arrays.copyOfRange(z, k * classes, (k + 1) * classes)) == labels[k]) correct++;
                    }
                }
                for (int k = 0; k < count; k++) bar.step();
            }
        }
        return new double[] {lossSum / n, correct / (double) n};
    }

    /** The largest magnitude among the trained weights (NaN when one is not finite). */
    private double largestWeight() {
        double max = 0;
        for (var p : model.trainableWeights()) {
            for (float v : p.value().toArray()) {
                if (!Float.isFinite(v)) return Double.NaN;
                max = Math.max(max, Math.abs(v));
            }
        }
        return max;
    }

    /** Stops a run whose weights are no longer finite or have exploded, before its epoch can be kept. */
    private void checkWeights(int epoch) {
        for (var e : model.trainableWeightsByName().entrySet()) {
            double max = 0;
            for (float v : e.getValue().value().toArray()) {
                if (!Float.isFinite(v)) {
                    throw new DivergedException("the weights " + e.getKey() + " became " + v + " in epoch " + epoch
                            + " (try a lower --lr)");
                }
                max = Math.max(max, Math.abs(v));
            }
            if (max > weightLimit) {
                throw new DivergedException(String.format(java.util.Locale.ROOT, "the weights %s exploded to %.3g in "
                        + "epoch %d (try a lower --lr)", e.getKey(), max, epoch));
            }
        }
    }

    /** The mean class probabilities over several views of the same samples (test-time augmentation). */
    public Predictions predict(List<FeatureSet> views) {
        List<Predictions> each = new java.util.ArrayList<>();
        for (FeatureSet v : views) each.add(predict(v));
        return Predictions.average(each);
    }

    /** Class probabilities for every sample, in eval mode (no dropout, batch norm on moving statistics). */
    public Predictions predict(FeatureSet set) {
        model.setTraining(false);
        int n = set.count();
        float[][] probs = new float[n][];
        for (int start = 0; start < n; start += batch) {
            int count = Math.min(batch, n - start);
            int[] idx = new int[count];
            for (int k = 0; k < count; k++) idx[k] = start + k;
            try (TensorScope scope = TensorScope.open(); Autograd.AutoCloseableNoThrow ng = Autograd.noGrad()) {
                Tensor logits = model.logits(batchOf(set, idx));
                Tensor p = Tensor.zeros(backend, count, classes);
                backend.softmax(count, classes, logits.storage(), p.storage());
                float[] v = p.toArray();
                for (int k = 0; k < count; k++) probs[start + k] = java.util.Arrays.copyOfRange(v, k * classes, (k + 1) * classes);
            }
        }
        return new Predictions(probs, set.labels());
    }

    private Map<String, Tensor> batchOf(FeatureSet set, int[] idx) {
        Map<String, Tensor> m = new HashMap<>();
        for (String name : set.tensors().keySet()) {
            int[] sample = set.sampleShape(name);
            int[] shape = new int[sample.length + 1];
            shape[0] = idx.length;
            System.arraycopy(sample, 0, shape, 1, sample.length);
            m.put(name, Tensor.of(backend, set.gather(name, idx), shape));
        }
        return m;
    }

    static int[] shuffled(int n, Random rnd) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) a[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
        return a;
    }

    /** Keras' class_weight="balanced": n / (classes · n_c) per class. */
    public static float[] balancedClassWeights(int[] labels, int classes) {
        int[] counts = new int[classes];
        for (int l : labels) counts[l]++;
        float[] w = new float[classes];
        for (int c = 0; c < classes; c++) w[c] = counts[c] == 0 ? 0f : labels.length / (float) (classes * counts[c]);
        return w;
    }
}
