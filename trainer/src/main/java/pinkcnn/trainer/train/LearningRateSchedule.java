package pinkcnn.trainer.train;

import java.util.Locale;
import pinkcnn.trainer.UserError;

/**
 * The learning rate of each epoch. {@code constant} keeps the base rate; {@code cosine} decays it from the base rate
 * in epoch 1 towards 0 after the last epoch, lr(e) = base · ½(1 + cos(π (e − 1) / epochs)), so the last epochs take
 * small steps and the weights settle instead of jittering around a minimum. A function of the epoch alone, so a
 * resumed run uses the same rates.
 */
public enum LearningRateSchedule {
    CONSTANT, COSINE;

    /** The default, chosen by cross-validated dev accuracy (README, "Choosing the defaults"). */
    public static final String DEFAULT = "constant";

    public float rate(float base, int epoch, int epochs) {
        return switch (this) {
            case CONSTANT -> base;
            case COSINE -> (float) (base * 0.5 * (1 + Math.cos(Math.PI * (epoch - 1) / epochs)));
        };
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static LearningRateSchedule parse(String s) {
        for (LearningRateSchedule l : values()) if (l.id().equals(s)) return l;
        throw new UserError("unknown learning-rate schedule '" + s + "': use constant or cosine");
    }
}
