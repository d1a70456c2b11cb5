package pinkcnn.trainer.convert;

import java.util.Locale;
import pinkcnn.engine.io.WeightFileException;
import java.util.regex.Pattern;

/**
 * How much {@code convert} reads into memory from a package, per file and in all. Every file is read whole, so a
 * small archive declaring a huge entry (a 1.4 MB tarball can unpack to a 1.5 GB {@code model.json}) would otherwise
 * end in an OutOfMemoryError. The limits are far above what TF.js models need: a model.json is kilobytes to a few
 * megabytes, TF.js writes 4 MB shards, and a JS-wrapped shard is a third larger than the shard.
 *
 * <p>One instance counts what one read has taken so far, for the total limit.
 */
final class ReadLimits {

    /** model.json, model.min.js and other JSON: the topology and the weights manifest. */
    static final long MODEL_FILE_BYTES = 64L << 20;
    /** A weight shard, binary or JS-wrapped base64. */
    static final long SHARD_BYTES = 512L << 20;
    /** Everything one conversion reads into memory. */
    static final long TOTAL_BYTES = 1L << 30;
    /** Everything an archive unpacks to, read or only skipped over (inflating it takes time too). */
    static final long ARCHIVE_BYTES = 4L << 30;
    /** A tar metadata entry (a pax header or a GNU long name). */
    static final long METADATA_BYTES = 1L << 20;

    private static final Pattern MODEL_FILE = Pattern.compile("(^|.*/)(model(\\.min)?\\.js|[^/]*\\.json)");

    private final String source;
    private long total;

    /** {@code source} names the package or folder in messages. */
    ReadLimits(String source) {
        this.source = source;
    }

    /**
     * Checks one file of {@code size} bytes before it is read, and counts it: a {@link WeightFileException} naming
     * the package, the entry and the limit when it is too large.
     */
    void take(String entry, long size) throws WeightFileException {
        check(entry, size);
        if (total + size > TOTAL_BYTES) {
            throw new WeightFileException(source + ": " + entry + " (" + bytes(size) + ") takes the files read past the "
                    + bytes(TOTAL_BYTES) + " limit for one model");
        }
        total += size;
    }

    /** Checks one file of {@code size} bytes against the limit of its kind, without counting it. */
    void check(String entry, long size) throws WeightFileException {
        boolean model = MODEL_FILE.matcher(entry).matches();
        long limit = model ? MODEL_FILE_BYTES : SHARD_BYTES;
        if (size > limit) {
            throw new WeightFileException(source + ": " + entry + " is " + bytes(size) + ", over the " + bytes(limit)
                    + " limit for " + (model ? "model files (JSON and model.js)" : "weight shards"));
        }
    }

    /** "1.5 GB", "64 MiB" style: binary units for round limits, decimal ones for sizes as found. */
    static String bytes(long n) {
        if (n >= 1L << 20 && n % (1L << 20) == 0) {
            return n % (1L << 30) == 0 ? (n >> 30) + " GiB" : (n >> 20) + " MiB";
        }
        if (n >= 1_000_000_000L) return String.format(Locale.ROOT, "%.1f GB", n / 1e9);
        if (n >= 1_000_000L) return String.format(Locale.ROOT, "%.1f MB", n / 1e6);
        return n + " bytes";
    }
}
