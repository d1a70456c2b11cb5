package pinkcnn.engine.io;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** NumPy {@code .npy} files of little-endian float32 in C order (version 1.0), read and written atomically. */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern SHAPE = Pattern.compile("'shape':\\s*\\(([^)]*)\\)");
    private static final Pattern DESCR = Pattern.compile("'descr':\\s*'([^']*)'");
    /** Java arrays hold at most about 2^31 floats. */
    private static final long MAX_VALUES = Integer.MAX_VALUE - 8;

    private Npy() {}

    /** An array read from a file: its shape and values. */
    public record Array(int[] shape, float[] data) {}

    public static void write(Path file, int[] shape, float[] data) throws IOException {
        AtomicFiles.write(file, content(shape, data));
    }

    /** The bytes of a .npy file, for {@link AtomicFiles} (e.g. written together with other files in a group). */
    public static AtomicFiles.Content content(int[] shape, float[] data) {
        StringBuilder s = new StringBuilder("(");
        for (int d : shape) s.append(d).append(", ");
        if (shape.length > 1) s.setLength(s.length() - 2);
        s.append(')');
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': " + s + ", }";
        int unpadded = MAGIC.length + 4 + dict.length() + 1;
        String header = dict + " ".repeat((64 - unpadded % 64) % 64) + "\n";
        return out -> {
            out.write(MAGIC);
            out.write(new byte[] {1, 0, (byte) header.length(), (byte) (header.length() >> 8)});
            out.write(header.getBytes(StandardCharsets.US_ASCII));
            ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
            for (float v : data) {
                if (!buf.hasRemaining()) {
                    out.write(buf.array(), 0, buf.position());
                    buf.clear();
                }
                buf.putFloat(v);
            }
            out.write(buf.array(), 0, buf.position());
        };
    }

    /**
     * Reads a little-endian float32 array. Anything else (another dtype, a damaged or truncated file, a header that
     * does not parse) is an IOException whose message names the file and the problem on one line.
     */
    public static Array read(Path file) throws IOException {
        try (InputStream raw = Files.newInputStream(file); DataInputStream in = new DataInputStream(raw)) {
            byte[] magic = in.readNBytes(6);
            if (!java.util.Arrays.equals(magic, MAGIC)) throw new IOException(file + ": not a .npy file");
            int major = in.readUnsignedByte();
            in.readUnsignedByte();
            if (major < 1 || major > 3) throw new IOException(file + ": unknown .npy version " + major);
            long headerLen = major == 1
                    ? Short.toUnsignedInt(Short.reverseBytes(in.readShort()))
                    : Integer.toUnsignedLong(Integer.reverseBytes(in.readInt()));
            if (headerLen > 1 << 20) throw new IOException(file + ": damaged .npy header (" + headerLen + " bytes long)");
            byte[] headerBytes = in.readNBytes((int) headerLen);
            if (headerBytes.length != headerLen) throw new IOException(file + ": truncated .npy header");
            String header = new String(headerBytes, StandardCharsets.US_ASCII).trim();
            Matcher descr = DESCR.matcher(header);
            if (!descr.find()) throw new IOException(file + ": no dtype ('descr') in the .npy header");
            if (!descr.group(1).equals("<f4")) {
                throw new IOException(file + ": the array is " + dtypeName(descr.group(1))
                        + "; only float32 (little-endian '<f4') is read: convert it, e.g. numpy's a.astype('float32')");
            }
            if (header.contains("'fortran_order': True")) throw new IOException(file + ": Fortran-ordered arrays are not supported");
            Matcher m = SHAPE.matcher(header);
            if (!m.find()) throw new IOException(file + ": no shape in the .npy header");
            String[] parts = m.group(1).split(",");
            int n = 0;
            int[] shape = new int[parts.length];
            long count = 1;
            for (String p : parts) {
                if (p.isBlank()) continue;
                try {
                    shape[n] = Integer.parseInt(p.trim());
                } catch (NumberFormatException e) {
                    throw new IOException(file + ": damaged shape (" + m.group(1).trim() + ") in the .npy header");
                }
                if (shape[n] < 0) throw new IOException(file + ": negative dimension in the shape (" + m.group(1).trim() + ")");
                count *= shape[n++];
                if (count > MAX_VALUES) throw new IOException(file + ": the array is too large (shape " + m.group(1).trim() + ")");
            }
            shape = java.util.Arrays.copyOf(shape, n);
            byte[] bytes = in.readNBytes((int) (count * 4));
            if (bytes.length != count * 4) throw new IOException(file + ": truncated (" + bytes.length + " of " + count * 4 + " bytes)");
            float[] data = new float[(int) count];
            ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(data);
            return new Array(shape, data);
        } catch (java.io.EOFException e) {
            throw new IOException(file + ": truncated .npy file");
        }
    }

    /** NumPy's name of a dtype string such as '<f8'. */
    private static String dtypeName(String descr) {
        String kind = descr.replaceAll("^[<>|=]", "");
        String name = switch (kind.isEmpty() ? ' ' : kind.charAt(0)) {
            case 'f' -> "float";
            case 'i' -> "int";
            case 'u' -> "uint";
            case 'b' -> "bool";
            case 'c' -> "complex";
            default -> null;
        };
        if (name == null || kind.length() < 2) return "of dtype '" + descr + "'";
        try {
            int bits = 8 * Integer.parseInt(kind.substring(1));
            return (name.equals("bool") ? "bool" : name + bits) + (descr.startsWith(">") ? " big-endian" : "");
        } catch (NumberFormatException e) {
            return "of dtype '" + descr + "'";
        }
    }
}
