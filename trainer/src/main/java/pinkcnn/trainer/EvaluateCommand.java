package pinkcnn.trainer;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import pinkcnn.engine.backend.Backend;
import pinkcnn.trainer.data.Progress;
import pinkcnn.trainer.report.Report;
import pinkcnn.trainer.train.Evaluation;
import pinkcnn.trainer.train.RunFolder;
import pinkcnn.trainer.train.TestTimeAugmentation;

/** {@code pinkcnn evaluate}: scores a trained run and (re)writes its report and plots. */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = "Score a run on its train/dev/test splits (report.json, report.md, confusion.png), or on another prepared file.")
public final class EvaluateCommand implements Callable<Integer> {
    @Mixin DeviceOption device;

    @Mixin RunOption run;

    @Option(names = "--data", paramLabel = "FILE.h5", description = "Score this prepared file instead (printed, not written into the run).")
    Path data;

    @Option(names = "--tta", paramLabel = "none|flip", converter = TestTimeAugmentation.Converter.class,
            description = "Score with this test-time augmentation instead of the run's own (see 'train --tta').")
    TestTimeAugmentation tta;

    @Option(names = "--quiet", description = "No progress bars.")
    boolean quiet;

    @Override
    public Integer call() throws Exception {
        RunFolder folder = run.folder();
        // Scoring the run's own splits rewrites its report and plots: not while another process writes the folder.
        try (RunFolder.Lock lock = data == null ? folder.lock("pinkcnn evaluate") : null;
             Backend backend = device.open()) {
            Progress.Factory progress = quiet ? Progress.SILENT : Progress.BARS;
            Report report = data == null ? Evaluation.ofRun(folder, backend, progress, tta)
                    : Evaluation.ofFile(folder, data, backend, progress, tta);
            report.printSummary(new PrintWriter(System.out, true));
            if (data == null) System.out.println("report: " + folder.dir().resolve(Report.MARKDOWN_FILE));
        }
        return 0;
    }
}
