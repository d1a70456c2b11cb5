package pinkcnn.trainer;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;

/** {@code pinkcnn bench} run in-process: exit code, standard output and the error stream, for the bench tests. */
record BenchRun(int rc, String out, String err) {

    static BenchRun of(String... args) {
        PrintStream old = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StringWriter err = new StringWriter();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            var cli = Main.commandLine();
            cli.setErr(new PrintWriter(err, true));
            int rc = cli.execute(args);
            return new BenchRun(rc, out.toString(StandardCharsets.UTF_8), err.toString());
        } finally {
            System.setOut(old);
        }
    }

    /** The error output is one line (a user error, not a stack trace). */
    boolean oneLineError() {
        return err.strip().lines().count() == 1;
    }
}
