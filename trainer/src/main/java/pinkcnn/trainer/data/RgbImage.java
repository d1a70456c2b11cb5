package pinkcnn.trainer.data;

/**
 * A decoded photo: {@code width × height} pixels, 8-bit RGB interleaved row by row ({@code rgb[3 * (y * width + x) + c]}).
 */
public record RgbImage(int width, int height, byte[] rgb) {

    public RgbImage {
        if (width < 1 || height < 1 || rgb.length != 3 * width * height) {
            throw new IllegalArgumentException("RGB image " + width + "×" + height + " needs " + 3L * width * height
                    + " bytes, got " + rgb.length);
        }
    }

    /** One channel value of one pixel, 0..255. */
    public int at(int x, int y, int channel) {
        return rgb[3 * (y * width + x) + channel] & 0xFF;
    }
}
