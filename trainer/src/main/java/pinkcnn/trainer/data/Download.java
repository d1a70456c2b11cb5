package pinkcnn.trainer.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.HttpURLConnection;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URL;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import pinkcnn.trainer.Cache;
import pinkcnn.trainer.UserError;

/**
 * Downloads one large file over HTTP(S) the way a slow or flaky connection needs: into {@code NAME.part}, resumed
 * with a Range request wherever a {@code .part} is left (by a dropped connection, or by an earlier run that was
 * stopped), checked against its SHA-256, and renamed to {@code NAME} only once it matches. Sources are tried in order:
 * a source that fails or serves other bytes is followed by the next.
 */
public final class Download {
    /** Seconds to wait for a connection, and for the next bytes on an open one. */
    static final int CONNECT_TIMEOUT_S = 30, READ_TIMEOUT_S = 60;
    /** Requests to one source: the first, then resumes after dropped connections. */
    static final int ATTEMPTS = 5;
    private static final int MAX_REDIRECTS = 8;
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes\\s+(?:(\\d+)-(\\d+)|\\*)/(\\d+|\\*)");

    private final PrintStream log;
    private final Progress.Factory progress;
    private long retryDelayMillis = 1000;

    /** Messages go to {@code log} (a line each), the bytes' progress to {@code progress} (a byte factory). */
    public Download(PrintStream log, Progress.Factory progress) {
        this.log = log;
        this.progress = progress;
    }

    /** The pause before a resume (tests make it short). */
    Download retryDelayMillis(long millis) {
        this.retryDelayMillis = millis;
        return this;
    }

    /**
     * {@code target}, from the first of {@code sources} that serves a file whose SHA-256 is {@code sha256}; a
     * {@code target} already there and matching is used as it is. A {@link UserError} of one line when no source
     * does; what was received of a file is kept in {@code target.part} for the next try, unless it was wrong.
     */
    public Path fetch(List<URI> sources, Path target, String sha256) throws IOException {
        Files.createDirectories(target.toAbsolutePath().getParent());
        Path lockFile = target.resolveSibling(target.getFileName() + ".lock");
        try (FileChannel lockChannel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock lock = tryLock(lockChannel, target)) {
            if (Files.isRegularFile(target)) {
                if (Cache.fileHash(target).equalsIgnoreCase(sha256)) return target;
                log.println("pinkcnn: " + target + " is not the expected file (SHA-256); downloading it again");
                Files.delete(target);
            }
            Path part = target.resolveSibling(target.getFileName() + ".part");
            List<String> failures = new ArrayList<>();
            for (URI source : sources) {
                String failure = fromSource(source, part, target.getFileName().toString());
                if (failure == null) {
                    String actual = Cache.fileHash(part);
                    if (actual.equalsIgnoreCase(sha256)) {
                        Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                        return target;
                    }
                    Files.delete(part); // resuming it would only grow a wrong file
                    failure = "its SHA-256 is " + actual + ", not the expected " + sha256.toLowerCase(Locale.ROOT)
                            + " (the download was deleted)";
                }
                failures.add(source + ": " + failure);
                if (sources.size() > 1 && failures.size() < sources.size()) log.println("pinkcnn: " + source + ": " + failure
                        + "; trying " + sources.get(failures.size()));
            }
            String kept = Files.isRegularFile(part) && Files.size(part) > 0
                    ? "; the " + megabytes(Files.size(part)) + " received are kept in " + part + " and the next try resumes them"
                    : "";
            throw new UserError("could not download " + target.getFileName() + " from "
                    + (failures.size() == 1 ? failures.get(0) : "any source: " + String.join("; ", failures)) + kept);
        }
    }

    private static FileLock tryLock(FileChannel channel, Path target) throws IOException {
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) throw new UserError("another pinkcnn is downloading " + target + "; wait for it to finish");
        return lock;
    }

    /** Downloads {@code source} into {@code part}, resuming on dropped connections: null when complete, else why not. */
    private String fromSource(URI source, Path part, String name) throws IOException {
        String failure = null;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            if (attempt > 1) {
                log.println("pinkcnn: " + failure + "; resuming at " + megabytes(size(part)) + " (attempt " + attempt + " of "
                        + ATTEMPTS + ")");
                pause();
            }
            try {
                request(source, part, name);
                return null;
            } catch (Refused e) {
                return e.getMessage(); // asking again would get the same answer
            } catch (IOException e) {
                failure = describe(e);
            }
        }
        return failure + " (" + ATTEMPTS + " attempts)";
    }

    /** One request: appends the rest of the file to {@code part} (or writes it anew where the server cannot resume). */
    private void request(URI source, Path part, String name) throws IOException {
        long have = size(part);
        HttpURLConnection c = open(source, have);
        try {
            int code = c.getResponseCode();
            long length = c.getContentLengthLong(), total;
            boolean append;
            if (code == HttpURLConnection.HTTP_PARTIAL) {
                Matcher m = CONTENT_RANGE.matcher(String.valueOf(c.getHeaderField("Content-Range")).trim());
                if (!m.matches() || m.group(1) == null || Long.parseLong(m.group(1)) != have) {
                    Files.deleteIfExists(part); // the next attempt starts from the beginning
                    throw new IOException("the server resumed at the wrong place (Content-Range: "
                            + c.getHeaderField("Content-Range") + ")");
                }
                total = m.group(3).equals("*") ? (length >= 0 ? have + length : -1) : Long.parseLong(m.group(3));
                append = true;
            } else if (code == HttpURLConnection.HTTP_OK) {
                if (have > 0) log.println("pinkcnn: " + source.getHost() + " cannot resume downloads (it ignored the Range "
                        + "request); starting again from the beginning");
                total = length;
                append = false;
            } else if (code == 416 && have > 0) { // the .part is as long as the file, or longer
                Matcher m = CONTENT_RANGE.matcher(String.valueOf(c.getHeaderField("Content-Range")).trim());
                if (m.matches() && !m.group(3).equals("*") && Long.parseLong(m.group(3)) == have) return;
                Files.delete(part);
                throw new IOException("the partial download was longer than the file");
            } else {
                String reason = "HTTP " + code + (c.getResponseMessage() == null ? "" : " " + c.getResponseMessage());
                if (code >= 400 && code < 500) throw new Refused(reason);
                throw new IOException(reason);
            }
            copy(c, part, append, total, name);
        } finally {
            c.disconnect();
        }
    }

    private void copy(HttpURLConnection c, Path part, boolean append, long total, String name) throws IOException {
        try (InputStream in = c.getInputStream();
             FileChannel ch = FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             Progress bar = progress.phase(name, total)) {
            if (append) ch.position(ch.size());
            else ch.truncate(0);
            bar.stepBy(ch.position());
            OutputStream out = Channels.newOutputStream(ch);
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) >= 0; ) {
                out.write(buf, 0, n);
                bar.stepBy(n);
            }
            ch.force(false);
            if (total >= 0 && ch.size() != total) {
                throw new IOException("the connection closed after " + megabytes(ch.size()) + " of " + megabytes(total));
            }
        }
    }

    /** A connection to {@code source} asking for the bytes from {@code from} on, redirects followed. */
    private static HttpURLConnection open(URI source, long from) throws IOException {
        URL url = toUrl(source);
        for (int redirects = 0; ; redirects++) {
            HttpURLConnection c = (HttpURLConnection) url.openConnection();
            c.setInstanceFollowRedirects(false); // by hand: Java does not follow http → https
            c.setConnectTimeout(CONNECT_TIMEOUT_S * 1000);
            c.setReadTimeout(READ_TIMEOUT_S * 1000);
            c.setRequestProperty("User-Agent", "pinkcnn");
            c.setRequestProperty("Accept-Encoding", "identity"); // byte offsets of the file itself
            if (from > 0) c.setRequestProperty("Range", "bytes=" + from + "-");
            int code = c.getResponseCode();
            if (code != 301 && code != 302 && code != 303 && code != 307 && code != 308) return c;
            String location = c.getHeaderField("Location");
            c.disconnect();
            if (location == null) throw new IOException("HTTP " + code + " without a Location");
            if (redirects >= MAX_REDIRECTS) throw new Refused("more than " + MAX_REDIRECTS + " redirects");
            url = toUrl(URI.create(url.toString()).resolve(location.trim()));
        }
    }

    private static URL toUrl(URI uri) throws IOException {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) throw new Refused("not an http or https address");
        try {
            return uri.toURL();
        } catch (MalformedURLException | IllegalArgumentException e) {
            throw new Refused("not a valid address (" + e.getMessage() + ")");
        }
    }

    private void pause() throws InterruptedIOException {
        try {
            Thread.sleep(retryDelayMillis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted");
        }
    }

    private static long size(Path p) throws IOException {
        return Files.isRegularFile(p) ? Files.size(p) : 0;
    }

    /** A network failure in words: Java's messages for these name only the host or nothing. */
    private static String describe(IOException e) {
        String m = e.getMessage() == null ? "" : e.getMessage();
        if (e instanceof java.net.UnknownHostException) return "unknown host " + m + " (no network, or no DNS?)";
        if (e instanceof java.net.SocketTimeoutException) return "no answer in time (" + m + ")";
        if (e instanceof java.net.ConnectException) return "cannot connect (" + m + ")";
        return m.isEmpty() ? e.getClass().getSimpleName() : m;
    }

    static String megabytes(long n) {
        return String.format(Locale.ROOT, "%.1f MB", n / 1e6);
    }

    /** A refusal that asking again will not change (HTTP 4xx, a bad address). */
    private static final class Refused extends IOException {
        Refused(String message) {
            super(message);
        }
    }
}
