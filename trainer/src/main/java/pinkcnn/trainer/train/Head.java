package pinkcnn.trainer.train;

import pinkcnn.trainer.Choice;

/** The classifier head on the backbone ({@code --head}); {@link Heads} builds its layers. */
public enum Head implements Choice {
    LINEAR, MLP, ORIGINAL;

    @Override
    public String toString() {
        return id();
    }

    /** For picocli: {@code --head linear|mlp|original}. */
    public static final class Converter extends Choice.Converter<Head> {
        public Converter() {
            super(Head.class);
        }
    }
}
