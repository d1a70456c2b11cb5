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

    private Npy() {}

    /** An array read from a file: its shape and values. */
    public record Array(int[] shape, float[] data) {}

    public static void write(Path file, int[] shape, float[] data) throws IOException {
        StringBuilder s = new StringBuilder("(");
        for (int d : shape) s.append(d).append(", ");
        if (shape.length > 1) s.setLength(s.length() - 2);
        s.append(')');
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': " + s + ", }";
        int unpadded = MAGIC.length + 4 + dict.length() + 1;
        String header = dict + " ".repeat((64 - unpadded % 64) % 64) + "\n";
        AtomicFiles.write(file, out -> {
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
        });
    }

    public static Array read(Path file) throws IOException {
        try (InputStream raw = Files.newInputStream(file); DataInputStream in = new DataInputStream(raw)) {
            byte[] magic = new byte[6];
            in.readFully(magic);
            if (!java.util.Arrays.equals(magic, MAGIC)) throw new IOException(file + ": not a .npy file");
            int major = in.readUnsignedByte();
            in.readUnsignedByte();
            int headerLen = major == 1
                    ? Short.toUnsignedInt(Short.reverseBytes(in.readShort()))
                    : Integer.reverseBytes(in.readInt());
            String header = new String(in.readNBytes(headerLen), StandardCharsets.US_ASCII);
            if (!header.contains("'<f4'")) throw new IOException(file + ": only little-endian float32 .npy is supported: " + header.trim());
            if (header.contains("'fortran_order': True")) throw new IOException(file + ": Fortran-ordered arrays are not supported");
            Matcher m = SHAPE.matcher(header);
            if (!m.find()) throw new IOException(file + ": no shape in the .npy header");
            String[] parts = m.group(1).split(",");
            int n = 0;
            int[] shape = new int[parts.length];
            for (String p : parts) if (!p.isBlank()) shape[n++] = Integer.parseInt(p.trim());
            shape = java.util.Arrays.copyOf(shape, n);
            long count = 1;
            for (int d : shape) count *= d;
            byte[] bytes = in.readNBytes(Math.toIntExact(count * 4));
            if (bytes.length != count * 4) throw new IOException(file + ": truncated (" + bytes.length + " of " + count * 4 + " bytes)");
            float[] data = new float[(int) count];
            ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(data);
            return new Array(shape, data);
        }
    }
}
