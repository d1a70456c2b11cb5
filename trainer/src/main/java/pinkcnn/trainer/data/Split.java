package pinkcnn.trainer.data;

import java.util.Locale;
import java.util.Optional;

/** The three parts of a dataset: training, development (validation, for choosing settings) and test. */
public enum Split {
    TRAIN, DEV, TEST;

    /** "train", "dev", "test": the file stem and the dataset prefix ({@code train_set_x}). */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public String fileName() {
        return id() + ".h5";
    }

    public static Optional<Split> byId(String id) {
        for (Split s : values()) if (s.id().equals(id)) return Optional.of(s);
        return Optional.empty();
    }

    @Override
    public String toString() {
        return id();
    }
}
