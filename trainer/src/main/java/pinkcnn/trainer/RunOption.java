package pinkcnn.trainer;

import java.nio.file.Path;
import picocli.CommandLine.Option;
import pinkcnn.trainer.train.RunFolder;

/** {@code --run runs/NAME}: the trained run a command reads (a picocli mixin of evaluate, predict and cam). */
public final class RunOption {

    @Option(names = "--run", required = true, paramLabel = "runs/NAME", description = "The run folder.")
    Path run;

    /** The run folder, or a {@link UserError} naming what is missing. */
    public RunFolder folder() {
        return RunFolder.existing(run);
    }

    public Path path() {
        return run;
    }
}
