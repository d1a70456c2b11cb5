package pinkcnn.trainer.train;

import pinkcnn.trainer.Choice;

/**
 * The learning rate of each epoch. {@code constant} keeps the base rate; {@code cosine} decays it from the base rate
 * in epoch 1 towards 0 after the last epoch, lr(e) = base · ½(1 + cos(π (e − 1) / epochs)), so the last epochs take
 * small steps and the weights settle instead of jittering around a minimum. A function of the epoch alone, so a
 * resumed run uses the same rates.
 */
public enum LearningRateSchedule implements Choice {
    CONSTANT, COSINE;

    public float rate(float base, int epoch, int epochs) {
        return switch (this) {
            case CONSTANT -> base;
            case COSINE -> (float) (base * 0.5 * (1 + Math.cos(Math.PI * (epoch - 1) / epochs)));
        };
    }

    public static LearningRateSchedule parse(String s) {
        return Choice.parse(LearningRateSchedule.class, s, "learning-rate schedule");
    }

    @Override
    public String toString() {
        return id();
    }

    /** For picocli: {@code --lr-schedule constant|cosine}. */
    public static final class Converter extends Choice.Converter<LearningRateSchedule> {
        public Converter() {
            super(LearningRateSchedule.class);
        }
    }
}
