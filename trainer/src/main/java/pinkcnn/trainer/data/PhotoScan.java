package pinkcnn.trainer.data;

import pinkcnn.trainer.data.RawDataset.RawFile;

/**
 * The one look at a candidate file: read it, decode it, fingerprint it and preprocess it into the network's input.
 * Only the fingerprints stay in memory (the whole dataset is de-duplicated and split from them before anything is
 * written); the caller stores the input, so no photo is decoded twice.
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

    /**
     * The outcome and, for a usable photo, its preprocessed input ({@code size × size × 3} RGB bytes) or, for a face
     * crop (which needs the detector first), the decoded photo.
     */
    public record Scan(Outcome outcome, byte[] input, RgbImage image) {
    }

    private PhotoScan() {
    }

    /** {@link #scan(RawFile, int, long, Preprocessing)} with the decoder's default pixel limit. */
    public static Scan scan(RawFile raw, int minSide, Preprocessing preprocessing) {
        return scan(raw, minSide, ImageDecoder.DEFAULT_MAX_PIXELS, preprocessing);
    }

    /**
     * Scans one file. Photos whose shorter side is below {@code minSide} are rejected: upscaled to the network's input
     * they carry no detail, and a 1×1 "photo" is a tracking pixel, not a face. Photos over {@code maxPixels} are
     * rejected from their header, before decoding. Running out of memory anywhere here rejects the file as such.
     */
    public static Scan scan(RawFile raw, int minSide, long maxPixels, Preprocessing preprocessing) {
        RgbImage image = null;
        try {
            byte[] bytes = ImageDecoder.readBytes(raw.file());
            image = ImageDecoder.decode(bytes, maxPixels);
            if (Math.min(image.width(), image.height()) < minSide) {
                throw new UnusableImageException("too small (" + image.width() + "×" + image.height()
                        + "; the shorter side must be at least " + minSide + " px, see --min-side)");
            }
            ScannedPhoto photo = new ScannedPhoto(raw, ImageHashes.sha256(bytes), ImageHashes.pixelHash(image),
                    ImageHashes.perceptualHash(image), image.width(), image.height());
            Outcome usable = new Outcome(photo, null);
            if (preprocessing.crop() == Preprocessing.Crop.FACE) return new Scan(usable, null, image);
            return new Scan(usable, preprocessing.apply(image), null);
        } catch (UnusableImageException e) {
            return new Scan(new Outcome(null, new Rejected(raw, e.reason())), null, null);
        } catch (OutOfMemoryError e) {
            // Decoded, but hashing or resizing it needed more: drop the pixels first, then say so.
            int w = image == null ? 0 : image.width(), h = image == null ? 0 : image.height();
            image = null;
            return new Scan(new Outcome(null, new Rejected(raw, ImageDecoder.outOfMemory("processing", w, h, "image"))), null, null);
        }
    }
}
