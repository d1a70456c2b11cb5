package pinkcnn.trainer.data;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import pinkcnn.trainer.convert.TarWriter;

/**
 * A local HTTP server of a small archive of lfw.tgz's layout, for the download tests: a few tiny JPEGs of each of the
 * four people, and a fifth person, an incompressible padding file and a file whose name climbs out of its folder, none
 * of which may be extracted. Serves Range requests unless told not to, and can drop its first connections mid-way.
 */
public final class LfwServer implements AutoCloseable {
    public static final int PHOTOS_PER_PERSON = 3;
    private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-");

    /** The archive and its SHA-256. */
    public final byte[] archive;
    public final String sha256;
    /** The photos that must be extracted: "Ariel_Sharon/Ariel_Sharon_0001.jpg" → bytes. */
    public final Map<String, byte[]> photos = new LinkedHashMap<>();
    /** The Range header of each request for the archive, "" where there was none. */
    public final List<String> ranges = Collections.synchronizedList(new ArrayList<>());

    private final HttpServer server;
    private volatile boolean rangesServed = true;
    private volatile int drops;
    private volatile long dropAfter;

    private LfwServer() throws IOException {
        TarWriter tar = new TarWriter();
        Random r = new Random(7);
        int seed = 0;
        for (String person : LfwDemo.PEOPLE) {
            for (int i = 1; i <= PHOTOS_PER_PERSON; i++) {
                String name = person + "/" + person + String.format("_%04d.jpg", i);
                byte[] jpeg = TestImages.jpeg(TestImages.photo(40, 40, seed++), 0.9f, false);
                photos.put(name, jpeg);
                tar.file("lfw/" + name, jpeg);
            }
            if (person.equals("Gerhard_Schroeder")) { // mid-archive, so that a dropped connection falls among photos
                byte[] padding = new byte[300_000];
                r.nextBytes(padding);
                tar.file("lfw/George_W_Bush/George_W_Bush_0001.jpg", TestImages.jpeg(TestImages.photo(40, 40, 99), 0.9f, false));
                tar.file("lfw/George_W_Bush/padding.bin", padding);
                tar.file("lfw/Ariel_Sharon/../../escape.jpg", new byte[] {1, 2, 3});
            }
        }
        archive = tar.tgz();
        sha256 = sha256(archive);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/lfw.tgz", this::serve);
        server.start();
    }

    public static LfwServer start() throws IOException {
        return new LfwServer();
    }

    /** The archive's address. */
    public URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/lfw.tgz");
    }

    /** An address on this server that answers 404. */
    public URI missing() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/missing.tgz");
    }

    /** Answers every request with the whole archive (200), as servers without Range support do. */
    public LfwServer withoutRanges() {
        rangesServed = false;
        return this;
    }

    /** Closes the first {@code count} connections after {@code bytes} bytes of the body. */
    public LfwServer dropping(int count, long bytes) {
        drops = count;
        dropAfter = bytes;
        return this;
    }

    private void serve(HttpExchange ex) throws IOException {
        String range = ex.getRequestHeaders().getFirst("Range");
        ranges.add(range == null ? "" : range);
        Matcher m = RANGE.matcher(range == null ? "" : range);
        int from = rangesServed && m.matches() ? (int) Long.parseLong(m.group(1)) : 0;
        if (from >= archive.length) {
            ex.getResponseHeaders().set("Content-Range", "bytes */" + archive.length);
            ex.sendResponseHeaders(416, -1);
            ex.close();
            return;
        }
        if (from > 0) {
            ex.getResponseHeaders().set("Content-Range", "bytes " + from + "-" + (archive.length - 1) + "/" + archive.length);
            ex.sendResponseHeaders(206, archive.length - from);
        } else {
            ex.sendResponseHeaders(200, archive.length);
        }
        OutputStream body = ex.getResponseBody();
        if (drops > 0) {
            drops--;
            body.write(archive, from, (int) Math.min(dropAfter, archive.length - from));
            body.flush();
            // Fewer bytes than announced, then an exception: the server closes the connection, as a network failure would.
            throw new IOException("dropped on purpose");
        }
        body.write(archive, from, archive.length - from);
        ex.close();
    }

    @Override
    public void close() {
        server.stop(0);
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
