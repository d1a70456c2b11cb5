package pinkcnn.trainer.convert;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPOutputStream;

/** Writes small gzip-compressed ustar archives in memory, as npm pack does, for tests (no system tar needed). */
public final class TarWriter {

    private final ByteArrayOutputStream tar = new ByteArrayOutputStream();

    /** Adds a regular file. */
    public TarWriter file(String name, byte[] content) {
        return entry(name, content, content.length);
    }

    /** Adds a regular file whose name is given by a pax extended header, as tar does for long names. */
    TarWriter paxFile(String name, byte[] content) {
        String body = " path=" + name + "\n";
        int len = body.length() + 1;
        while (len != body.length() + Integer.toString(len).length()) len = body.length() + Integer.toString(len).length();
        header("PaxHeader/short", 'x', (len + body).getBytes(StandardCharsets.UTF_8), len);
        return header("short", '0', content, content.length);
    }

    /**
     * Adds a regular file whose header declares {@code declaredSize} bytes but that holds only {@code content}: what a
     * hostile archive does, or the first bytes of a huge entry.
     */
    TarWriter entry(String name, byte[] content, long declaredSize) {
        return header(name, '0', content, declaredSize);
    }

    private TarWriter header(String name, char type, byte[] content, long declaredSize) {
        byte[] h = new byte[512];
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        if (n.length > 100) throw new IllegalArgumentException("name over 100 bytes: " + name);
        System.arraycopy(n, 0, h, 0, n.length);
        octal(h, 100, 8, 0644);
        octal(h, 108, 8, 0);
        octal(h, 116, 8, 0);
        octal(h, 124, 12, declaredSize);
        octal(h, 136, 12, 0);
        h[156] = (byte) type;
        System.arraycopy("ustar\0".getBytes(StandardCharsets.US_ASCII), 0, h, 257, 6);
        h[263] = '0';
        h[264] = '0';
        for (int i = 148; i < 156; i++) h[i] = ' ';
        long sum = 0;
        for (byte b : h) sum += b & 0xFF;
        octal(h, 148, 7, sum);
        tar.writeBytes(h);
        tar.writeBytes(content);
        tar.writeBytes(new byte[(512 - content.length % 512) % 512]);
        return this;
    }

    /** The archive, ended by two zero blocks, gzip-compressed. */
    public byte[] tgz() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(tar.toByteArray());
            gz.write(new byte[1024]);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static void octal(byte[] h, int offset, int length, long value) {
        String s = Long.toOctalString(value);
        if (s.length() > length - 1) throw new IllegalArgumentException(value + " does not fit " + length + " octal digits");
        s = "0".repeat(length - 1 - s.length()) + s;
        System.arraycopy(s.getBytes(StandardCharsets.US_ASCII), 0, h, offset, length - 1);
        h[offset + length - 1] = 0;
    }
}
