package pinkcnn.trainer.data;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;
import pinkcnn.trainer.UserError;

/** Runs a command in-process as the CLI does (a UserError prints one line and exits 2), capturing its output. */
record Cli(int exitCode, String out, String err) {

    static Cli run(Object command, String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cli = new CommandLine(command);
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        cli.setExecutionExceptionHandler((e, c, parsed) -> {
            if (e instanceof UserError u) {
                c.getErr().println("pinkcnn " + c.getCommandName() + ": " + u.getMessage());
                return u.exitCode();
            }
            throw e;
        });
        int code = cli.execute(args);
        return new Cli(code, out.toString(), err.toString());
    }

    /**
     * prepare without progress bars; with the centre crop unless the test chooses a crop (these tests' synthetic photos
     * have no faces, and the default face crop would depend on the detector being in the cache).
     */
    static Cli prepare(String... args) {
        boolean cropGiven = java.util.Arrays.asList(args).contains("--crop");
        String[] all = java.util.Arrays.copyOf(args, args.length + (cropGiven ? 1 : 3));
        all[args.length] = "--no-progress";
        if (!cropGiven) {
            all[args.length + 1] = "--crop";
            all[args.length + 2] = "center";
        }
        return run(new PrepareCommand(), all);
    }
}
