package pinkcnn.trainer.convert;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads the regular files of a gzip-compressed tar archive (an npm package tarball, the LFW photo archive): ustar
 * headers, with the long names of pax ('x') and GNU ('L') entries. Only reading, streamed from the file; links and
 * other non-regular entries are skipped, never followed or created. What to do with a file is the caller's: the
 * npm reading below holds entries in memory within {@link ReadLimits}, checked against their declared size first.
 */
public final class TarGz {

    private static final int BLOCK = 512;

    /** What one pass over an archive does with its regular files, in archive order. */
    public interface Visitor {
        /** Whether to read the file {@code name} of {@code size} bytes (declared); may throw to refuse the archive. */
        boolean wants(String name, long size) throws IOException;

        /** Reads a wanted file from {@code content}, which ends with the file; what it leaves unread is skipped. */
        void accept(String name, long size, InputStream content) throws IOException;
    }

    private TarGz() {}

    /** The names of the regular files, in archive order. */
    static List<String> list(Path tgz) throws IOException {
        List<String> names = new ArrayList<>();
        walk(tgz, name -> {
            names.add(name);
            return false;
        });
        return names;
    }

    /** The contents of the regular files whose names {@code wanted} accepts. */
    static Map<String, byte[]> read(Path tgz, Predicate<String> wanted) throws IOException {
        return walk(tgz, wanted);
    }

    private static Map<String, byte[]> walk(Path tgz, Predicate<String> wanted) throws IOException {
        Map<String, byte[]> out = new LinkedHashMap<>();
        ReadLimits limits = new ReadLimits(tgz.toString());
        each(tgz, ReadLimits.ARCHIVE_BYTES, "not a model package", new Visitor() {
            @Override
            public boolean wants(String name, long size) throws IOException {
                if (wanted.test(name)) {
                    limits.take(name, size);
                    return true;
                }
                // Every file is held to the limit of its kind, read now or not: listing the archive is the first
                // step of reading a model from it, and an entry refused only later would cost its inflating.
                limits.check(name, size);
                return false;
            }

            @Override
            public void accept(String name, long size, InputStream content) throws IOException {
                out.put(name, readFully(content, size, tgz));
            }
        });
        return out;
    }

    /**
     * Passes every regular file of {@code tgz} to {@code visitor}, streaming: only the file being read is open. An
     * archive that unpacks to over {@code maxUnpacked} bytes (read or skipped) stops with an IOException ending in
     * {@code what} ("not a model package"): inflating it would take long even where nothing is kept.
     */
    public static void each(Path tgz, long maxUnpacked, String what, Visitor visitor) throws IOException {
        long unpacked = 0;
        try (InputStream in = new BufferedInputStream(new GZIPInputStream(Files.newInputStream(tgz), 1 << 16), 1 << 16)) {
            String longName = null;
            byte[] header = new byte[BLOCK];
            while (true) {
                int n = in.readNBytes(header, 0, BLOCK);
                if (n == 0) break; // no end-of-archive blocks: accept, as tar does
                if (n < BLOCK) throw new IOException(tgz + ": truncated tar archive");
                if (isZero(header)) break; // end of archive
                if (!checksumOk(header, tgz)) throw new IOException(tgz + ": not a tar archive (bad header checksum)");
                long size = octal(header, 124, 12, tgz);
                if (size < 0) throw new IOException(tgz + ": not a tar archive (negative entry size)");
                char type = (char) header[156];
                String name = longName != null ? longName : ustarName(header);
                longName = null;
                unpacked += size;
                if (unpacked > maxUnpacked) {
                    throw new IOException(tgz + ": unpacks to over " + ReadLimits.bytes(maxUnpacked)
                            + " (at " + name + ", " + ReadLimits.bytes(size) + "); " + what);
                }
                boolean regular = type == '0' || type == '\0' || type == '7';
                if (type == 'x' || type == 'L') {
                    if (size > ReadLimits.METADATA_BYTES) {
                        throw new IOException(tgz + ": a tar " + (type == 'x' ? "pax header" : "long name") + " of "
                                + ReadLimits.bytes(size) + ", over the " + ReadLimits.bytes(ReadLimits.METADATA_BYTES)
                                + " limit");
                    }
                    byte[] meta = readFully(in, size, tgz);
                    longName = type == 'L' ? cString(meta, 0, meta.length) : paxPath(meta);
                } else if (regular && visitor.wants(name, size)) {
                    Entry entry = new Entry(in, size);
                    visitor.accept(name, size, entry);
                    skipFully(in, entry.left, tgz);
                } else {
                    skipFully(in, size, tgz);
                }
                skipFully(in, (BLOCK - size % BLOCK) % BLOCK, tgz);
            }
        } catch (ZipException e) {
            throw new IOException(tgz + ": not a gzip file (" + e.getMessage() + ")", e);
        } catch (java.io.EOFException e) {
            throw new IOException(tgz + ": truncated archive", e);
        }
    }

    /** One entry's bytes: the archive's stream, ending where the entry does; closing it leaves the archive open. */
    private static final class Entry extends InputStream {
        private final InputStream in;
        private long left;

        Entry(InputStream in, long size) {
            this.in = in;
            this.left = size;
        }

        @Override
        public int read() throws IOException {
            if (left <= 0) return -1;
            int b = in.read();
            if (b >= 0) left--;
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left <= 0) return len == 0 ? 0 : -1;
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n > 0) left -= n;
            return n;
        }
    }

    private static String ustarName(byte[] h) {
        String name = cString(h, 0, 100);
        boolean ustar = new String(h, 257, 5, StandardCharsets.US_ASCII).equals("ustar");
        String prefix = ustar ? cString(h, 345, 155) : "";
        return prefix.isEmpty() ? name : prefix + "/" + name;
    }

    /** The {@code path} record of a pax header ("LEN path=VALUE\n" records), or null; damaged records end the search. */
    private static String paxPath(byte[] meta) {
        int i = 0;
        while (i < meta.length) {
            int space = i;
            while (space < meta.length && meta[space] != ' ') space++;
            if (space >= meta.length) break;
            int len;
            try {
                len = Integer.parseInt(new String(meta, i, space - i, StandardCharsets.US_ASCII).trim());
            } catch (NumberFormatException e) {
                break;
            }
            // A record holds at least its length, the space and the newline.
            if (len <= space - i + 1 || len > meta.length - i) break;
            String record = new String(meta, space + 1, i + len - 1 - (space + 1), StandardCharsets.UTF_8);
            if (record.startsWith("path=")) return record.substring(5);
            i += len;
        }
        return null;
    }

    private static long octal(byte[] h, int offset, int length, Path tgz) throws IOException {
        if ((h[offset] & 0x80) != 0) { // base-256 for sizes over 8 GB
            long v = h[offset] & 0x7f;
            for (int i = 1; i < length; i++) v = (v << 8) | (h[offset + i] & 0xff);
            return v;
        }
        String s = cString(h, offset, length).trim();
        if (s.isEmpty()) return 0;
        try {
            return Long.parseLong(s, 8);
        } catch (NumberFormatException e) {
            throw new IOException(tgz + ": not a tar archive (a header field reads '"
                    + s.replaceAll("\\p{Cntrl}", "?") + "', not a number)");
        }
    }

    private static boolean checksumOk(byte[] h, Path tgz) throws IOException {
        long stored = octal(h, 148, 8, tgz);
        long sum = 0;
        for (int i = 0; i < BLOCK; i++) sum += (i >= 148 && i < 156) ? ' ' : (h[i] & 0xff);
        return sum == stored;
    }

    private static boolean isZero(byte[] h) {
        for (byte b : h) if (b != 0) return false;
        return true;
    }

    private static String cString(byte[] b, int offset, int length) {
        int end = offset;
        while (end < offset + length && b[end] != 0) end++;
        return new String(b, offset, end - offset, StandardCharsets.UTF_8);
    }

    private static byte[] readFully(InputStream in, long size, Path tgz) throws IOException {
        if (size > Integer.MAX_VALUE - 8) throw new IOException(tgz + ": an entry over 2 GB");
        byte[] b = in.readNBytes((int) size);
        if (b.length < size) throw new IOException(tgz + ": truncated archive");
        return b;
    }

    private static void skipFully(InputStream in, long size, Path tgz) throws IOException {
        long left = size;
        while (left > 0) {
            long s = in.skip(left);
            if (s <= 0) {
                if (in.read() < 0) throw new IOException(tgz + ": truncated archive");
                s = 1;
            }
            left -= s;
        }
    }
}
