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
    /** NumPy writes headers of a few dozen bytes; anything near this is not a header. */
    private static final long MAX_HEADER_BYTES = 1 << 20;

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
     * Reads a little-endian float32 array. Every problem (not .npy, another dtype, a damaged header, a shape the data
     * does not fill) is a {@link WeightFileException} naming the file; sizes are checked against the file's before
     * anything is allocated.
     */
    public static Array read(Path file) throws IOException {
        long fileSize = Files.size(file);
        try (InputStream raw = Files.newInputStream(file); DataInputStream in = new DataInputStream(raw)) {
            byte[] magic = new byte[6];
            in.readFully(magic);
            if (!java.util.Arrays.equals(magic, MAGIC)) throw new WeightFileException(file + ": not a .npy file");
            int major = in.readUnsignedByte();
            in.readUnsignedByte();
            long headerLen;
            if (major == 1) headerLen = Short.toUnsignedInt(Short.reverseBytes(in.readShort()));
            else if (major == 2 || major == 3) headerLen = Integer.toUnsignedLong(Integer.reverseBytes(in.readInt()));
            else throw new WeightFileException(file + ": .npy format version " + major + " is not supported");
            if (headerLen > Math.min(MAX_HEADER_BYTES, fileSize)) {
                throw new WeightFileException(file + ": damaged .npy header (it says " + headerLen + " bytes long)");
            }
            String header = new String(in.readNBytes((int) headerLen), StandardCharsets.ISO_8859_1);
            if (header.length() < headerLen) throw new WeightFileException(file + ": truncated .npy header");
            Matcher descr = DESCR.matcher(header);
            if (!descr.find()) throw new WeightFileException(file + ": no dtype ('descr') in the .npy header");
            if (!descr.group(1).equals("<f4")) {
                throw new WeightFileException(file + ": the array is " + dtypeName(descr.group(1))
                        + "; only float32 (little-endian '<f4') is read: convert it, e.g. numpy's a.astype('float32')");
            }
            if (header.contains("'fortran_order': True")) throw new WeightFileException(file + ": Fortran-ordered arrays are not supported");
            Matcher m = SHAPE.matcher(header);
            if (!m.find()) throw new WeightFileException(file + ": no shape in the .npy header");
            int[] shape = parseShape(m.group(1), file);
            long count = Weight.elementCount(shape);
            if (count > Integer.MAX_VALUE - 8) throw new WeightFileException(file + ": over 2^31 values");
            long dataBytes = fileSize - (magic.length + 2 + (major == 1 ? 2 : 4) + headerLen);
            if (count * 4 != dataBytes) {
                throw new WeightFileException(file + (count * 4 > dataBytes ? ": truncated: " : ": ") + "shape "
                        + java.util.Arrays.toString(shape) + " needs " + count * 4 + " bytes of data, the file holds " + dataBytes);
            }
            byte[] bytes = in.readNBytes(Math.toIntExact(count * 4));
            if (bytes.length != count * 4) throw new WeightFileException(file + ": truncated (" + bytes.length + " of " + count * 4 + " bytes)");
            float[] data = new float[(int) count];
            ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(data);
            return new Array(shape, data);
        } catch (java.io.EOFException e) {
            throw new WeightFileException(file + ": truncated .npy file", e);
        } catch (IllegalArgumentException e) { // a shape that overflows
            throw new WeightFileException(file + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {  // unforeseen damage: still one line naming the file
            throw new WeightFileException(file + ": damaged .npy file (" + e + ")", e);
        }
    }

    private static int[] parseShape(String tuple, Path file) throws WeightFileException {
        String[] parts = tuple.split(",", -1);
        int[] shape = new int[parts.length];
        int n = 0;
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i].strip();
            if (p.isEmpty()) {
                if (i == parts.length - 1 && i > 0) continue;     // the trailing comma of (3,)
                if (parts.length == 1) continue;                  // ()
                throw new WeightFileException(file + ": bad shape (" + oneLine(tuple) + ") in the .npy header");
            }
            try {
                shape[n++] = Integer.parseInt(p);
            } catch (NumberFormatException e) {
                throw new WeightFileException(file + ": bad shape (" + oneLine(tuple) + ") in the .npy header");
            }
            if (shape[n - 1] < 0) throw new WeightFileException(file + ": negative dimension in the .npy shape (" + oneLine(tuple) + ")");
        }
        return java.util.Arrays.copyOf(shape, n);
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
        if (name == null || kind.length() < 2) return "of dtype '" + oneLine(descr) + "'";
        try {
            int bits = 8 * Integer.parseInt(kind.substring(1));
            return (name.equals("bool") ? "bool" : name + bits) + (descr.startsWith(">") ? " big-endian" : "");
        } catch (NumberFormatException e) {
            return "of dtype '" + oneLine(descr) + "'";
        }
    }

    private static String oneLine(String s) {
        String t = s.replaceAll("\\s+", " ").trim();
        return t.length() > 200 ? t.substring(0, 200) + "…" : t;
    }
}
