package pinkcnn.trainer.data;

import io.jhdf.HdfFile;
import io.jhdf.api.Attribute;
import io.jhdf.api.Dataset;
import io.jhdf.api.Node;
import io.jhdf.api.dataset.ChunkedDataset;
import io.jhdf.api.dataset.ContiguousDataset;
import io.jhdf.dataset.DatasetBase;
import io.jhdf.exceptions.HdfException;
import java.io.IOException;
import java.lang.reflect.Array;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import pinkcnn.engine.io.Hdf5Files;
import pinkcnn.trainer.UserError;

/**
 * Reads one split file in the original project's layout ({@code {split}_set_x} uint8 N×H×W×3,
 * {@code {split}_set_y} labels, {@code list_classes}), whether pinkcnn, h5py or Keras code wrote it.
 *
 * <p>Images are read on demand, by index, as uint8 bytes or as floats; nothing but the labels is loaded up front.
 * Files written by {@code pinkcnn prepare} (one chunk per image) read each image as one decompressed chunk;
 * contiguous files are read from the mapped data; any other chunking goes through jHDF's slice reader.
 * Not thread-safe: use one reader per thread.
 */
public final class DatasetReader implements AutoCloseable {

    /** Images larger than this (a 4096×4096 RGB photo is 48 MiB) come from a damaged header. */
    private static final long MAX_IMAGE_BYTES = 64L << 20;

    private final Path file;
    private final HdfFile hdf;
    private final String split;
    private final Dataset images;
    private final int count, height, width, channels;
    private final int[] labels;
    private final List<String> classes;
    private final Map<String, String> attributes;
    private final ImageAccess access;

    private DatasetReader(Path file) {
        this.file = file;
        if (!Files.isRegularFile(file)) throw new UserError(file + ": no such file");
        try {
            this.hdf = Hdf5Files.open(file);
        } catch (IOException e) {
            throw new UserError(file + ": cannot read: " + e.getMessage());
        } catch (HdfException e) {
            throw new UserError(file + ": not an HDF5 file (" + Hdf5Files.describe(e) + ")");
        } catch (RuntimeException | OutOfMemoryError | StackOverflowError e) {
            throw new UserError(file + ": not a readable HDF5 file (" + Hdf5Files.describe(e) + ")");
        }
        try {
            this.split = findSplit(hdf, file);
            this.images = hdf.getDatasetByPath(split + "_set_x");
            int[] dims = images.getDimensions();
            if (dims.length != 4 || images.getDataType().getSize() != 1) {
                throw new UserError(file + ": " + split + "_set_x is " + Arrays.toString(dims) + " of "
                        + images.getDataType().getSize() + "-byte elements, expected uint8 N×H×W×C");
            }
            if (dims[0] < 0 || dims[1] < 1 || dims[2] < 1 || dims[3] < 1
                    || (long) dims[1] * dims[2] * dims[3] > MAX_IMAGE_BYTES) {
                throw new UserError(file + ": " + split + "_set_x has images of " + dims[1] + "×" + dims[2] + "×"
                        + dims[3] + " bytes (damaged?)");
            }
            this.count = dims[0];
            this.height = dims[1];
            this.width = dims[2];
            this.channels = dims[3];
            this.labels = readLabels(hdf.getDatasetByPath(split + "_set_y"), count, file, hdf.size());
            this.classes = readClasses(hdf, file, hdf.size());
            for (int label : labels) {
                if (label < 0 || label >= classes.size()) {
                    throw new UserError(file + ": label " + label + " but only " + classes.size() + " classes");
                }
            }
            this.attributes = readAttributes(hdf);
            this.access = ImageAccess.of(images, dims, hdf.size(), file);
        } catch (UserError e) {
            hdf.close();
            throw e;
        } catch (RuntimeException | OutOfMemoryError | StackOverflowError e) {
            // jHDF reports damage as unchecked exceptions of many kinds, not only HdfException.
            hdf.close();
            throw new UserError(file + ": unreadable dataset file (" + Hdf5Files.describe(e) + ")");
        }
    }

    /** Opens a split file; a missing or malformed file is a {@link UserError} naming it. */
    public static DatasetReader open(Path file) {
        return new DatasetReader(file);
    }

    public Path file() { return file; }

    /** "train", "dev", "test" (the prefix of {@code _set_x}). */
    public String split() { return split; }

    public List<String> classes() { return classes; }

    public int count() { return count; }

    public int height() { return height; }

    public int width() { return width; }

    public int channels() { return channels; }

    /** The element type of the images, as NumPy names it ("uint8"; "int8" in a file written so by other code). */
    public String dtype() { return dtype(images.getDataType()); }

    /** Bytes of one image: height × width × channels. */
    public int imageBytes() { return height * width * channels; }

    public int label(int i) { return labels[i]; }

    public int[] labels() { return labels.clone(); }

    /** Number of images of each class, indexed by label. */
    public int[] countsPerClass() {
        int[] counts = new int[classes.size()];
        for (int label : labels) counts[label]++;
        return counts;
    }

    /**
     * The manifest.csv row each image comes from ({@code {split}_set_source}, written by prepare since face crops), or
     * empty for files without it.
     */
    public Optional<long[]> sources() {
        Node node = hdf.getChildren().get(split + "_set_source");
        if (!(node instanceof Dataset d) || d.getDimensions().length != 1 || d.getDimensions()[0] != count) return Optional.empty();
        try {
            int[] values = readLabels(d, count, file, hdf.size());
            long[] out = new long[count];
            for (int i = 0; i < count; i++) out[i] = values[i];
            return Optional.of(out);
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /** String attributes of the root group (pinkcnn writes its preprocessing settings there). */
    public Map<String, String> attributes() { return attributes; }

    /** The preprocessing that produced the images, when the file records it. */
    public Optional<Preprocessing> preprocessing() {
        try {
            String crop = attributes.get("preprocess_crop");
            String fraction = attributes.get("preprocess_crop_fraction");
            if (crop == null || fraction == null) return Optional.empty();
            String margin = attributes.get("preprocess_face_margin");
            return Optional.of(new Preprocessing(height, Preprocessing.Crop.parse(crop), Double.parseDouble(fraction),
                    margin != null ? Double.parseDouble(margin) : Preprocessing.DEFAULT_FACE_MARGIN));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** Name, element type, shape and storage of a dataset in the file. */
    public record DatasetInfo(String name, String dtype, int[] shape, String storage) {
        @Override
        public String toString() {
            StringBuilder dims = new StringBuilder();
            for (int d : shape) dims.append(dims.length() == 0 ? "" : "×").append(d);
            return String.format("%-14s %-7s %-18s %s", name, dtype, dims.length() == 0 ? "scalar" : dims, storage);
        }
    }

    /** Every dataset at the root of the file, by name. */
    public List<DatasetInfo> datasets() {
        try {
            return describeDatasets();
        } catch (RuntimeException e) {
            throw new UserError(file + ": unreadable dataset file (" + Hdf5Files.describe(e) + ")");
        }
    }

    private List<DatasetInfo> describeDatasets() {
        List<DatasetInfo> out = new ArrayList<>();
        for (Map.Entry<String, Node> e : new TreeMap<>(hdf.getChildren()).entrySet()) {
            if (!(e.getValue() instanceof Dataset d)) continue;
            String storage = d.getDataLayout().toString().toLowerCase(java.util.Locale.ROOT);
            if (d instanceof ChunkedDataset c) {
                StringBuilder chunk = new StringBuilder();
                for (int x : c.getChunkDimensions()) chunk.append(chunk.length() == 0 ? "" : "×").append(x);
                storage += " " + chunk;
            }
            for (io.jhdf.filter.PipelineFilterWithData f : d.getFilters()) storage += ", " + f.getName();
            out.add(new DatasetInfo(e.getKey(), dtype(d.getDataType()), d.getDimensions(), storage));
        }
        return out;
    }

    private static String dtype(io.jhdf.object.datatype.DataType t) {
        if (t instanceof io.jhdf.object.datatype.FixedPoint f) return (f.isSigned() ? "int" : "uint") + 8 * f.getSize();
        if (t instanceof io.jhdf.object.datatype.FloatingPoint) return "float" + 8 * t.getSize();
        if (t instanceof io.jhdf.object.datatype.StringData) return "string";
        return t.getClass().getSimpleName();
    }

    /** Image {@code i} as H×W×C bytes (RGB, row-major). */
    public byte[] image(int i) {
        byte[] out = new byte[imageBytes()];
        readImage(i, out, 0);
        return out;
    }

    /** Images {@code first .. first+n-1}, N×H×W×C, into {@code dst} from {@code dstOffset}. */
    public void readImages(int first, int n, byte[] dst, int dstOffset) {
        for (int k = 0; k < n; k++) readImage(first + k, dst, dstOffset + k * imageBytes());
    }

    /** The images at {@code indices} (a batch in any order), N×H×W×C, into {@code dst}. */
    public void readImages(int[] indices, byte[] dst) {
        for (int k = 0; k < indices.length; k++) readImage(indices[k], dst, k * imageBytes());
    }

    /**
     * The images at {@code indices} as floats {@code pixel · scale + offset} (e.g. scale 1/127.5, offset −1 for
     * MobileNetV2's [−1, 1]), N×H×W×C, into {@code dst}.
     */
    public void readFloats(int[] indices, float[] dst, float scale, float offset) {
        byte[] one = new byte[imageBytes()];
        for (int k = 0; k < indices.length; k++) {
            readImage(indices[k], one, 0);
            int base = k * one.length;
            for (int j = 0; j < one.length; j++) dst[base + j] = (one[j] & 0xFF) * scale + offset;
        }
    }

    private void readImage(int i, byte[] dst, int offset) {
        if (i < 0 || i >= count) throw new IndexOutOfBoundsException("image " + i + " of " + count);
        try {
            access.read(i, dst, offset, imageBytes());
        } catch (UserError e) {
            throw e;
        } catch (RuntimeException | OutOfMemoryError e) {
            // A damaged chunk (or chunk index) surfaces only when its image is read.
            throw new UserError(file + ": image " + i + " is unreadable (" + Hdf5Files.describe(e) + ")");
        }
    }

    @Override
    public void close() {
        hdf.close();
    }

    // ---- how image i's bytes are found, by storage layout ----

    private interface ImageAccess {
        void read(int i, byte[] dst, int offset, int length);

        static ImageAccess of(Dataset images, int[] dims, long fileSize, Path file) {
            if (images instanceof ChunkedDataset chunked
                    && Arrays.equals(chunked.getChunkDimensions(), new int[] {1, dims[1], dims[2], dims[3]})) {
                return (i, dst, offset, length) -> {
                    byte[] chunk = chunked.getDecompressedChunk(new int[] {i, 0, 0, 0});
                    if (chunk.length < length) {
                        throw new UserError(file + ": image " + i + " holds " + chunk.length + " of its " + length
                                + " bytes (damaged?)");
                    }
                    System.arraycopy(chunk, 0, dst, offset, length);
                };
            }
            // The other layouts read from the whole dataset's extent: it must fit in the file.
            String implausible = Hdf5Files.implausibleSize(images, fileSize);
            if (implausible != null) throw new UserError(file + ": " + images.getPath() + " " + implausible + " (damaged?)");
            if (images instanceof ContiguousDataset contiguous) {
                ByteBuffer all = contiguous.getBuffer();
                return (i, dst, offset, length) -> all.get((int) ((long) i * length), dst, offset, length);
            }
            if (images instanceof DatasetBase base) {
                return (i, dst, offset, length) -> base.getSliceDataBuffer(new long[] {i, 0, 0, 0},
                        new int[] {1, dims[1], dims[2], dims[3]}).get(dst, offset, length);
            }
            throw new UserError(images.getPath() + ": unsupported storage " + images.getDataLayout());
        }
    }

    private static String findSplit(HdfFile hdf, Path file) {
        List<String> found = new ArrayList<>();
        for (String name : hdf.getChildren().keySet()) {
            if (name.endsWith("_set_x")) found.add(name.substring(0, name.length() - "_set_x".length()));
        }
        if (found.size() != 1) {
            throw new UserError(file + ": expected one {split}_set_x dataset, found " + (found.isEmpty() ? "none" : found));
        }
        String split = found.get(0);
        Node y = hdf.getChildren().get(split + "_set_y");
        if (y == null) throw new UserError(file + ": has " + split + "_set_x but no " + split + "_set_y");
        return split;
    }

    private static int[] readLabels(Dataset y, int count, Path file, long fileSize) {
        String implausible = Hdf5Files.implausibleSize(y, fileSize);
        if (implausible != null) throw new UserError(file + ": " + y.getPath() + " " + implausible + " (damaged?)");
        Object flat = y.getDataFlat();
        if (!flat.getClass().isArray()) flat = new Object[] {flat};    // a scalar
        int n = Array.getLength(flat);
        if (n != count) throw new UserError(file + ": " + count + " images but " + n + " labels");
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            Object v = Array.get(flat, i);
            if (!(v instanceof Number number) || number.doubleValue() != number.longValue()) {
                throw new UserError(file + ": " + y.getPath() + " holds " + v + ", not a whole-number label");
            }
            long label = number.longValue();
            if (label < 0 || label > Integer.MAX_VALUE) throw new UserError(file + ": label " + label + " is out of range");
            labels[i] = (int) label;
        }
        return labels;
    }

    private static List<String> readClasses(HdfFile hdf, Path file, long fileSize) {
        Node node = hdf.getChildren().get("list_classes");
        if (!(node instanceof Dataset classes)) throw new UserError(file + ": no list_classes dataset");
        String implausible = Hdf5Files.implausibleSize(classes, fileSize);
        if (implausible != null) throw new UserError(file + ": list_classes " + implausible + " (damaged?)");
        Object flat = classes.getDataFlat();
        if (!flat.getClass().isArray()) flat = new Object[] {flat};
        List<String> names = new ArrayList<>();
        for (int i = 0; i < Array.getLength(flat); i++) {
            Object v = Array.get(flat, i);
            names.add(v instanceof byte[] b ? new String(b, java.nio.charset.StandardCharsets.UTF_8) : String.valueOf(v));
        }
        return List.copyOf(names);
    }

    private static Map<String, String> readAttributes(HdfFile hdf) {
        Map<String, String> out = new TreeMap<>();
        for (Map.Entry<String, Attribute> a : hdf.getAttributes().entrySet()) {
            Object v = a.getValue().getData();
            if (v instanceof String s) out.put(a.getKey(), s);
        }
        return out;
    }
}
