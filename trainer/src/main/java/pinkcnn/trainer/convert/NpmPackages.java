package pinkcnn.trainer.convert;

import pinkcnn.trainer.Cache;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import pinkcnn.trainer.UserError;

/**
 * Fetches npm package tarballs with the user's own {@code npm pack} into pinkcnn's cache folder (outside any
 * repository): {@code $PINKCNN_CACHE/npm}, else {@code $XDG_CACHE_HOME/pinkcnn/npm}, else {@code ~/.cache/pinkcnn/npm}.
 * A tarball of an exact version already there is used without asking the registry again.
 */
public final class NpmPackages {

    /** name@version, name optionally scoped (@scope/name); the version part may be a range or a tag. */
    private static final Pattern SPEC = Pattern.compile("((?:@[a-z0-9][a-z0-9._-]*/)?[a-z0-9][a-z0-9._-]*)(?:@([A-Za-z0-9.^~<>=*| +_-]+))?");
    private static final Pattern EXACT_VERSION = Pattern.compile("\\d+\\.\\d+\\.\\d+(?:[-+][0-9A-Za-z.-]+)?");
    private static final long TIMEOUT_MINUTES = 10;

    private NpmPackages() {}

    /** pinkcnn's cache folder for npm tarballs (not created). */
    public static Path cacheDir() {
        return Cache.dir().resolve("npm");
    }

    /** The file name npm pack gives the tarball of an exact version ("@scope/name" → "scope-name-1.2.3.tgz"). */
    static String tarballName(String name, String version) {
        return name.replaceFirst("^@", "").replace('/', '-') + "-" + version + ".tgz";
    }

    /** The cached tarball of {@code spec} (e.g. "nsfwjs@4.4.0"), fetched with npm pack when missing. */
    public static Path fetch(String spec, Path cacheDir, PrintWriter log) throws IOException {
        Matcher m = SPEC.matcher(spec);
        if (!m.matches()) throw new UserError("'" + spec + "' is not an npm package spec such as nsfwjs@4.4.0");
        String name = m.group(1);
        String version = m.group(2);
        if (version != null && EXACT_VERSION.matcher(version).matches()) {
            Path cached = cacheDir.resolve(tarballName(name, version));
            if (Files.isRegularFile(cached) && Files.size(cached) > 0) return cached;
        }
        Files.createDirectories(cacheDir);
        log.println("Fetching " + spec + " with npm pack into " + cacheDir + " …");
        log.flush();
        Path errors = Files.createTempFile("pinkcnn-npm-pack", ".log"); // a file: a full stderr pipe cannot block npm
        try {
            return pack(spec, cacheDir, errors);
        } finally {
            Files.deleteIfExists(errors);
        }
    }

    private static Path pack(String spec, Path cacheDir, Path errors) throws IOException {
        Process p;
        try {
            p = new ProcessBuilder("npm", "pack", "--silent", spec).directory(cacheDir.toFile())
                    .redirectError(errors.toFile()).start();
        } catch (IOException e) {
            throw new UserError("npm is not installed (needed to fetch " + spec + "): install Node.js with npm, or "
                    + "download the package tarball yourself and give its path to --from");
        }
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        try {
            if (!p.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new UserError("npm pack " + spec + " did not finish in " + TIMEOUT_MINUTES + " minutes");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for npm pack", e);
        }
        if (p.exitValue() != 0) {
            throw new UserError("npm pack " + spec + " failed (exit " + p.exitValue() + "): "
                    + lastLine(Files.readAllBytes(errors)));
        }
        String file = lastLine(out);
        Path tarball = cacheDir.resolve(file);
        if (file.isEmpty() || !file.endsWith(".tgz") || !Files.isRegularFile(tarball)) {
            throw new UserError("npm pack " + spec + " reported '" + file + "', not a tarball in " + cacheDir);
        }
        return tarball;
    }

    private static String lastLine(byte[] bytes) {
        List<String> lines = new String(bytes, StandardCharsets.UTF_8).strip().lines().toList();
        return lines.isEmpty() ? "" : lines.get(lines.size() - 1).strip();
    }
}
