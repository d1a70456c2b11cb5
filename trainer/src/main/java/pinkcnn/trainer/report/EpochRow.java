package pinkcnn.trainer.report;

import java.util.Locale;

/**
 * One epoch of training, one row of {@code metrics.csv}: mean train loss and accuracy, dev loss and accuracy, wall
 * seconds, and the learning rate used. Accuracies are fractions (0..1).
 */
public record EpochRow(int epoch, double trainLoss, double trainAccuracy, double devLoss, double devAccuracy,
                       double seconds, double learningRate) {

    /** A one-line summary for the console, e.g. {@code epoch 3: train loss 0.512 acc 81.2 % | dev loss 0.701 acc 70.0 % | 4.2 s}. */
    public String describe() {
        return String.format(Locale.ROOT, "epoch %d: train loss %.4f acc %s | dev loss %.4f acc %s | %.1f s | lr %s",
                epoch, trainLoss, Format.percent(trainAccuracy), devLoss, Format.percent(devAccuracy), seconds,
                Format.number(learningRate));
    }
}
