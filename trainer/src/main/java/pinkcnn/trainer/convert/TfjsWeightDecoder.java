package pinkcnn.trainer.convert;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Turns the bytes of one TF.js weight into float32 values, as TF.js' {@code io.decodeWeights} does: little-endian
 * float32, or quantized per tensor (weights manifest {@code quantization: {dtype, scale, min}}):
 * <ul>
 *   <li>uint8 / uint16: value = q·scale + min, computed in double (as JavaScript does) and rounded once to float32;</li>
 *   <li>float16: IEEE half precision, widened exactly.</li>
 * </ul>
 */
final class TfjsWeightDecoder {

    private TfjsWeightDecoder() {}

    /** Bytes one stored value takes: the quantized dtype if any, else the weight's dtype. */
    static int bytesPerValue(String storedDtype) {
        switch (storedDtype) {
            case "float32":
            case "int32":
                return 4;
            case "uint16":
            case "float16":
                return 2;
            case "uint8":
            case "bool":
                return 1;
            default:
                throw new IllegalArgumentException("unsupported dtype '" + storedDtype + "'");
        }
    }

    /**
     * Decodes {@code count} values starting at {@code buffer}'s position (which it advances).
     *
     * @param quantDtype null for unquantized float32; else uint8, uint16 or float16
     */
    static float[] decode(ByteBuffer buffer, int count, String quantDtype, double scale, double min) {
        ByteBuffer b = buffer.slice().order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[count];
        if (quantDtype == null) {
            b.asFloatBuffer().get(out);
            buffer.position(buffer.position() + 4 * count);
            return out;
        }
        switch (quantDtype) {
            case "uint8":
                for (int i = 0; i < count; i++) out[i] = (float) ((b.get(i) & 0xff) * scale + min);
                break;
            case "uint16":
                for (int i = 0; i < count; i++) out[i] = (float) ((b.getShort(2 * i) & 0xffff) * scale + min);
                break;
            case "float16":
                for (int i = 0; i < count; i++) out[i] = halfToFloat(b.getShort(2 * i) & 0xffff);
                break;
            default:
                throw new IllegalArgumentException("unsupported quantization dtype '" + quantDtype + "'");
        }
        buffer.position(buffer.position() + bytesPerValue(quantDtype) * count);
        return out;
    }

    /** IEEE 754 binary16 → binary32, exact (every half value is a float value). */
    static float halfToFloat(int half) {
        int sign = half >>> 15;
        int exponent = (half >>> 10) & 0x1f;
        int mantissa = half & 0x3ff;
        float magnitude;
        if (exponent == 0) {
            magnitude = mantissa * 0x1p-24f; // zero and subnormals: mantissa · 2^-24
        } else if (exponent == 31) {
            magnitude = mantissa == 0 ? Float.POSITIVE_INFINITY : Float.NaN;
        } else {
            // Re-bias the exponent from 15 to 127 and widen the mantissa from 10 to 23 bits.
            magnitude = Float.intBitsToFloat(((exponent + 112) << 23) | (mantissa << 13));
        }
        return sign == 0 ? magnitude : -magnitude;
    }
}
