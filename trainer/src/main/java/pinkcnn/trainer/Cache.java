package pinkcnn.trainer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * pinkcnn's cache folder, outside the repository ({@link pinkcnn.engine.io.CacheDir} says where). Holds the
 * converted weights, the npm package they come from, backbone features keyed by content hashes, measured peaks and
 * the OpenCL tuning.
 */
public final class Cache {
    private static final Map<String, String> FILE_HASHES = new ConcurrentHashMap<>();

    private Cache() {}

    public static Path dir() {
        return pinkcnn.engine.io.CacheDir.path();
    }

    public static Path dir(String sub) throws IOException {
        return Files.createDirectories(dir().resolve(sub));
    }

    /** SHA-256 of a file's bytes, hex (memoised by path, size and modification time within this process). */
    public static String fileHash(Path file) throws IOException {
        String memo = file.toAbsolutePath() + "|" + Files.size(file) + "|" + Files.getLastModifiedTime(file).toMillis();
        String cached = FILE_HASHES.get(memo);
        if (cached != null) return cached;
        MessageDigest md = sha256();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 20];
            for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
        }
        String h = HexFormat.of().formatHex(md.digest());
        FILE_HASHES.put(memo, h);
        return h;
    }

    /** SHA-256 of the parts joined by newlines, hex, shortened to 24 characters (a cache key). */
    public static String key(String... parts) {
        MessageDigest md = sha256();
        for (String p : parts) {
            md.update(p.getBytes(StandardCharsets.UTF_8));
            md.update((byte) '\n');
        }
        return HexFormat.of().formatHex(md.digest()).substring(0, 24);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
