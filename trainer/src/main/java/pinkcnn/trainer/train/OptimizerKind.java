package pinkcnn.trainer.train;

import pinkcnn.engine.optim.Adam;
import pinkcnn.engine.optim.Optimizer;
import pinkcnn.engine.optim.Sgd;
import pinkcnn.trainer.Choice;

/** The optimizer of a run ({@code --optimizer}): Adam, or SGD with momentum 0.9. */
public enum OptimizerKind implements Choice {
    ADAM, SGD;

    public Optimizer create(float lr) {
        return switch (this) {
            case ADAM -> new Adam(lr);
            case SGD -> new Sgd(lr, 0.9f);
        };
    }

    @Override
    public String toString() {
        return id();
    }

    /** For picocli: {@code --optimizer adam|sgd}. */
    public static final class Converter extends Choice.Converter<OptimizerKind> {
        public Converter() {
            super(OptimizerKind.class);
        }
    }
}
