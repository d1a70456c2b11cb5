package pinkcnn.trainer;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code pinkcnn} command line. Each subcommand is one class in this package (or a sub-package). */
@Command(name = "pinkcnn",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "A plain-Java CNN engine with OpenCL kernels: prepare photos, train and evaluate a transfer-learning "
                + "classifier on MobileNetV2, inspect activations, and benchmark kernels.",
        subcommands = {
                BenchCommand.class,
                ConvertCommand.class,
                pinkcnn.trainer.data.PrepareCommand.class,
                pinkcnn.trainer.data.CheckCommand.class,
                TrainCommand.class,
                EvaluateCommand.class,
                PredictCommand.class,
                DetectCommand.class,
                InspectCommand.class,
                ExportCommand.class,
                CamCommand.class,
                DemoCommand.class,
                DevicesCommand.class,
                CommandLine.HelpCommand.class,
        })
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        CommandLine cli = commandLine();
        int code;
        try {
            code = cli.execute(args);
        } catch (Throwable e) { // an Error (out of memory, say) that picocli lets through
            String command = args.length > 0 && cli.getSubcommands().containsKey(args[0]) ? " " + args[0] : "";
            code = Failures.report(e, new PrintWriter(System.err, true), "pinkcnn" + command, args);
        }
        System.exit(code);
    }

    /** The configured command line, also used by tests to run commands in-process. */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Main());
        cli.registerConverter(java.nio.file.Path.class, new UserPaths.Converter());
        cli.setExecutionExceptionHandler(new ErrorHandler());
        cli.setParameterExceptionHandler(new ChoiceErrorHandler(cli.getParameterExceptionHandler()));
        return cli;
    }

    /**
     * An option value that is none of its {@link Choice}'s spellings is a one-line error, like a {@link UserError}
     * (the spellings are the help that matters); other parse errors print the usage as picocli does.
     */
    static final class ChoiceErrorHandler implements CommandLine.IParameterExceptionHandler {
        private final CommandLine.IParameterExceptionHandler others;

        ChoiceErrorHandler(CommandLine.IParameterExceptionHandler others) {
            this.others = others;
        }

        @Override
        public int handleParseException(CommandLine.ParameterException e, String[] args) throws Exception {
            if (e.getCause() instanceof Choice.Unknown unknown && e.getArgSpec() instanceof CommandLine.Model.OptionSpec o) {
                CommandLine cli = e.getCommandLine();
                cli.getErr().println("pinkcnn " + cli.getCommandName() + ": " + unknown.line(o.longestName()));
                return cli.getCommandSpec().exitCodeOnInvalidInput();
            }
            return others.handleParseException(e, args);
        }
    }

    /**
     * One line for every failure, never a stack trace: the user's mistakes (bad input, missing files, no device, a full
     * disk) with exit code 2, and bugs with where their full trace was written ({@link Failures}).
     */
    static final class ErrorHandler implements CommandLine.IExecutionExceptionHandler {
        @Override
        public int handleExecutionException(Exception e, CommandLine cli, CommandLine.ParseResult parsed) {
            String[] args = parsed == null ? new String[0] : parsed.originalArgs().toArray(String[]::new);
            return Failures.report(e, cli.getErr(), "pinkcnn " + cli.getCommandName(), args);
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() throws IOException {
            Properties p = new Properties();
            try (InputStream in = Main.class.getResourceAsStream("/pinkcnn/version.properties")) {
                if (in != null) p.load(in);
            }
            return new String[] {"pinkcnn " + p.getProperty("version", "unknown")
                    + " (Java " + System.getProperty("java.version") + ", " + Runtime.getRuntime().availableProcessors()
                    + " cores)"};
        }
    }
}
