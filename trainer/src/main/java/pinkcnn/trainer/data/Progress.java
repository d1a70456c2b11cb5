package pinkcnn.trainer.data;

import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** Progress of one phase of a long job: a terminal progress bar on stderr, or nothing. */
public interface Progress extends AutoCloseable {

    void step();

    @Override
    void close();

    /** Opens phases: {@code phase(name, total)}. */
    interface Factory {
        Progress phase(String name, long total);
    }

    Factory SILENT = (name, total) -> new Progress() {
        @Override public void step() { }
        @Override public void close() { }
    };

    Factory BARS = (name, total) -> {
        ProgressBar bar = new ProgressBarBuilder()
                .setTaskName(name)
                .setInitialMax(total)
                .setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(250)
                .setConsumer(new ConsoleProgressBarConsumer(System.err))
                .showSpeed()
                .build();
        return new Progress() {
            @Override public void step() { bar.step(); }
            @Override public void close() { bar.close(); }
        };
    };
}
