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

    static Cli prepare(String... args) {
        String[] all = new String[args.length + 1];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--no-progress";
        return run(new PrepareCommand(), all);
    }
}
