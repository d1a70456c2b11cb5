package pinkcnn.trainer;

/**
 * Stands in for the CLI in {@link ReliabilityLauncherTest}: a jar of this class alone is what the copied launcher
 * runs. It prints what the launcher passed (stderr a terminal or not, the heap, the project folder) and a line on
 * stderr, then exits with the code given.
 */
public final class LauncherProbe {
    private LauncherProbe() {}

    public static void main(String[] args) {
        System.out.println("terminal=" + System.getProperty("pinkcnn.stderr.terminal"));
        System.out.println("heap=" + Runtime.getRuntime().maxMemory());
        System.out.println("home=" + System.getProperty("pinkcnn.home"));
        System.out.println("args=" + String.join("|", args));
        System.out.println("glob=" + System.getProperty("probe.glob"));
        System.err.println("probe: a line on stderr");
        System.err.print("probe: \rno newline at the end");
        System.err.flush();
        System.exit(args.length > 0 ? Integer.parseInt(args[0]) : 0);
    }
}
