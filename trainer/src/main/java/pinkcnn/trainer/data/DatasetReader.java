package pinkcnn.trainer.data;

import io.jhdf.HdfFile;
import io.jhdf.api.Attribute;
import io.jhdf.api.Dataset;
import io.jhdf.api.Node;
import io.jhdf.api.dataset.ChunkedDataset;
import io.jhdf.api.dataset.ContiguousDataset;
import io.jhdf.dataset.DatasetBase;
import io.jhdf.exceptions.HdfException;
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
            this.hdf = new HdfFile(file);
        } catch (HdfException e) {
            throw new UserError(file + ": not an HDF5 file (" + e.getMessage() + ")");
        }
        try {
            this.split = findSplit(hdf, file);
            this.images = hdf.getDatasetByPath(split + "_set_x");
            int[] dims = images.getDimensions();
            if (dims.length != 4 || images.getDataType().getSize() != 1) {
                throw new UserError(file + ": " + split + "_set_x is " + Arrays.toString(dims) + " of "
                        + images.getDataType().getSize() + "-byte elements, expected uint8 N×H×W×C");
            }
            this.count = dims[0];
            this.height = dims[1];
            this.width = dims[2];
            this.channels = dims[3];
            this.labels = readLabels(hdf.getDatasetByPath(split + "_set_y"), count, file);
            this.classes = readClasses(hdf, file);
            for (int label : labels) {
                if (label < 0 || label >= classes.size()) {
                    throw new UserError(file + ": label " + label + " but only " + classes.size() + " classes");
                }
            }
            this.attributes = readAttributes(hdf);
            this.access = ImageAccess.of(images, dims);
        } catch (HdfException e) {
            hdf.close();
            throw new UserError(file + ": unreadable dataset file (" + e.getMessage() + ")");
        } catch (RuntimeException e) {
            hdf.close();
            throw e;
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

    /** String attributes of the root group (pinkcnn writes its preprocessing settings there). */
    public Map<String, String> attributes() { return attributes; }

    /** The preprocessing that produced the images, when the file records it. */
    public Optional<Preprocessing> preprocessing() {
        try {
            String crop = attributes.get("preprocess_crop");
            String fraction = attributes.get("preprocess_crop_fraction");
            if (crop == null || fraction == null) return Optional.empty();
            return Optional.of(new Preprocessing(height, Preprocessing.Crop.parse(crop), Double.parseDouble(fraction)));
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
        access.read(i, dst, offset, imageBytes());
    }

    @Override
    public void close() {
        hdf.close();
    }

    // ---- how image i's bytes are found, by storage layout ----

    private interface ImageAccess {
        void read(int i, byte[] dst, int offset, int length);

        static ImageAccess of(Dataset images, int[] dims) {
            if (images instanceof ChunkedDataset chunked
                    && Arrays.equals(chunked.getChunkDimensions(), new int[] {1, dims[1], dims[2], dims[3]})) {
                return (i, dst, offset, length) ->
                        System.arraycopy(chunked.getDecompressedChunk(new int[] {i, 0, 0, 0}), 0, dst, offset, length);
            }
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

    private static int[] readLabels(Dataset y, int count, Path file) {
        Object flat = y.getDataFlat();
        int n = Array.getLength(flat);
        if (n != count) throw new UserError(file + ": " + count + " images but " + n + " labels");
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) labels[i] = ((Number) Array.get(flat, i)).intValue();
        return labels;
    }

    private static List<String> readClasses(HdfFile hdf, Path file) {
        Node node = hdf.getChildren().get("list_classes");
        if (!(node instanceof Dataset classes)) throw new UserError(file + ": no list_classes dataset");
        Object flat = classes.getDataFlat();
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
