package pinkcnn.trainer.train;

import com.fasterxml.jackson.annotation.JsonCreator;
import pinkcnn.trainer.Choice;

/**
 * Per-class weights of the training loss ({@code --class-weights}): {@code auto} balances the classes, {@code none}
 * weighs every sample 1.
 */
public enum ClassWeights implements Choice {
    AUTO, NONE;

    /** The weight of each class for these training labels, or null for unweighted. */
    public float[] of(int[] labels, int classes) {
        return this == AUTO ? Trainer.balancedClassWeights(labels, classes) : null;
    }

    /** From run.json: before this was an enum, train took any text and weighed classes only for "auto". */
    @JsonCreator
    static ClassWeights fromRunJson(String text) {
        return AUTO.isSpelled(text) ? AUTO : NONE;
    }

    @Override
    public String toString() {
        return id();
    }

    /** For picocli: {@code --class-weights auto|none}. */
    public static final class Converter extends Choice.Converter<ClassWeights> {
        public Converter() {
            super(ClassWeights.class);
        }
    }
}
