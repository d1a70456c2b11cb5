package pinkcnn.trainer.data;

import pinkcnn.trainer.data.RawDataset.RawFile;

/**
 * The first look at a candidate file: read it, decode it once, and keep only its fingerprints (no pixels), so the
 * whole dataset can be de-duplicated and split before anything is written.
 */
public final class PhotoScan {

    /** A usable photo: where it is, its fingerprints and its decoded size. */
    public record ScannedPhoto(RawFile raw, String sha256, String pixelHash, long perceptualHash, int width, int height) {
        public String relativePath() { return raw.relativePath(); }
        public int label() { return raw.label(); }
    }

    /** A file that cannot be a training photo, and why. */
    public record Rejected(RawFile raw, String reason) {
    }

    /** Either a photo or a rejection. */
    public record Outcome(ScannedPhoto photo, Rejected rejected) {
        public boolean usable() { return photo != null; }
    }

    private PhotoScan() {
    }

    /** {@link #scan(RawFile, int, long)} with the decoder's default pixel limit. */
    public static Outcome scan(RawFile raw, int minSide) {
        return scan(raw, minSide, ImageDecoder.DEFAULT_MAX_PIXELS);
    }

    /**
     * Scans one file. Photos whose shorter side is below {@code minSide} are rejected: upscaled to the network's input
     * they carry no detail, and a 1×1 "photo" is a tracking pixel, not a face. Photos over {@code maxPixels} are
     * rejected from their header, before decoding.
     */
    public static Outcome scan(RawFile raw, int minSide, long maxPixels) {
        try {
            byte[] bytes = ImageDecoder.readBytes(raw.file());
            RgbImage image = ImageDecoder.decode(bytes, maxPixels);
            if (Math.min(image.width(), image.height()) < minSide) {
                throw new UnusableImageException("too small (" + image.width() + "×" + image.height()
                        + "; the shorter side must be at least " + minSide + " px, see --min-side)");
            }
            return new Outcome(new ScannedPhoto(raw, ImageHashes.sha256(bytes), ImageHashes.pixelHash(image),
                    ImageHashes.perceptualHash(image), image.width(), image.height()), null);
        } catch (UnusableImageException e) {
            return new Outcome(null, new Rejected(raw, e.reason()));
        }
    }
}
