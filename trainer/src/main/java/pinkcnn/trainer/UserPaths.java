package pinkcnn.trainer;

import java.nio.file.Path;
import java.nio.file.Paths;
import picocli.CommandLine;

/**
 * The one rule for paths on the command line: a path you type is relative to the current folder, with a leading
 * {@code ~} meaning your home folder (also in {@code --out=~/x}, which the shell leaves alone); a path an option
 * defaults to ({@code datasets/prepared}, {@code runs/demo}) is relative to the project folder, the folder of the
 * {@code ./pinkcnn} launcher (the system property {@code pinkcnn.home}), else the current folder.
 */
public final class UserPaths {
    private UserPaths() {}

    /** The project folder (absolute). */
    public static Path home() {
        String h = System.getProperty("pinkcnn.home");
        return (h != null && !h.isBlank() ? Paths.get(h) : Paths.get("")).toAbsolutePath().normalize();
    }

    /** An option's default folder or file, {@code relative} to the project folder. */
    public static Path projectDefault(String relative) {
        return home().resolve(relative);
    }

    /** The path given, or the option's project-relative default when none was given. */
    public static Path orDefault(Path given, String relative) {
        return given != null ? given : projectDefault(relative);
    }

    /** A path as typed: {@code ~} and {@code ~/…} are under the home folder; anything else is taken as it is. */
    public static Path expand(String typed) {
        if (typed.equals("~") || typed.startsWith("~/") || typed.startsWith("~" + java.io.File.separator)) {
            Path user = Paths.get(System.getProperty("user.home"));
            return typed.length() <= 2 ? user : user.resolve(typed.substring(2));
        }
        return Paths.get(typed);
    }

    /** picocli's converter for every {@link Path} option and parameter (registered by {@link Main#commandLine()}). */
    static final class Converter implements CommandLine.ITypeConverter<Path> {
        @Override
        public Path convert(String value) {
            return expand(value);
        }
    }
}
