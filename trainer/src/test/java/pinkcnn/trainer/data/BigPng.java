package pinkcnn.trainer.data;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;

/**
 * Valid PNGs of one colour with huge canvases, written row by row (no image of that size is ever in memory): the
 * "small file, enormous picture" a careless or hostile user hands over. A 20000×20000 1-bit PNG is 50 KB.
 */
final class BigPng {

    private BigPng() {
    }

    /** A black {@code width × height} PNG: colour type 0 (grey) or 2 (RGB), bit depth 1 or 8. */
    static byte[] of(int width, int height, int colourType, int bitDepth) {
        int channels = colourType == 2 ? 3 : 1;
        long rowBytes = 1 + ((long) width * channels * bitDepth + 7) / 8;   // the filter byte, then the samples
        try {
            ByteArrayOutputStream idat = new ByteArrayOutputStream();
            try (DeflaterOutputStream z = new DeflaterOutputStream(idat, new Deflater(Deflater.BEST_SPEED), 1 << 16)) {
                byte[] row = new byte[(int) rowBytes];
                for (int y = 0; y < height; y++) z.write(row);
            }
            ByteArrayOutputStream png = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(png);
            out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
            ByteArrayOutputStream ihdr = new ByteArrayOutputStream();
            DataOutputStream h = new DataOutputStream(ihdr);
            h.writeInt(width);
            h.writeInt(height);
            h.write(new byte[] {(byte) bitDepth, (byte) colourType, 0, 0, 0});
            chunk(out, "IHDR", ihdr.toByteArray());
            chunk(out, "IDAT", idat.toByteArray());
            chunk(out, "IEND", new byte[0]);
            return png.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void chunk(DataOutputStream out, String type, byte[] data) throws IOException {
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        out.writeInt(data.length);
        out.write(t);
        out.write(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        out.writeInt((int) crc.getValue());
    }
}
