package pinkcnn.trainer.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import pinkcnn.engine.Autograd;
import pinkcnn.engine.Tensor;
import pinkcnn.engine.TensorScope;
import pinkcnn.engine.backend.Backend;
import pinkcnn.engine.io.Npy;
import pinkcnn.engine.nn.Graph;
import pinkcnn.engine.ops.Functional;
import pinkcnn.trainer.Cache;
import pinkcnn.trainer.data.DatasetReader;
import pinkcnn.trainer.data.Progress;

/**
 * Runs the frozen part of the backbone once per image (batched, no gradients, batch norm on moving statistics) and
 * keeps the activations the trainable part starts from. Results are cached on disk under a key made of the data
 * file's and weights file's contents, the layers, the pooling and the input size, so a second run with another head
 * starts training at once.
 */
public final class FeatureExtractor {
    /** Bump when the cached layout or the preprocessing changes. */
    private static final String FORMAT = "features-v1";
    /** MobileNetV2 input scaling: pixel/127.5 − 1 maps [0, 255] to [−1, 1] (the original project used [0, 1]). */
    public static final float PIXEL_SCALE = 1f / 127.5f, PIXEL_OFFSET = -1f;

    private final Backend backend;
    private final Graph backbone;
    private final Path weightsFile;
    private final int batch;
    private final boolean useCache;
    private final Progress.Factory progress;

    public FeatureExtractor(Backend backend, Graph backbone, Path weightsFile, int batch, boolean useCache,
                            Progress.Factory progress) {
        this.progress = progress;
        this.backend = backend;
        this.backbone = backbone;
        this.weightsFile = weightsFile;
        this.batch = batch;
        this.useCache = useCache;
    }

    /**
     * The outputs of {@code names} for every image of {@code data}; with a pool spec other than none (frozen
     * backbone, a single 4-D tensor), each map is pooled on the host before it is kept. {@code mirrored} runs every
     * image mirrored left–right (a second view for {@link TestTimeAugmentation}).
     */
    public FeatureSet extract(DatasetReader data, Set<String> names, Pool pool, String label, boolean mirrored)
            throws IOException {
        int last = lastPosition(names);
        String lastName = backbone.nodes().get(last).name();
        FeatureSet set = new FeatureSet(data.labels());
        Map<String, Path> cached = new HashMap<>();
        boolean all = useCache;
        for (String n : names) {
            Path f = cacheFile(data.file(), n, lastName, pool, mirrored);
            cached.put(n, f);
            all &= Files.isRegularFile(f);
        }
        if (all) {
            for (String n : names) {
                Npy.Array a = Npy.read(cached.get(n));
                set.put(n, java.util.Arrays.copyOfRange(a.shape(), 1, a.shape().length), a.data());
            }
            System.err.printf("%s: %d images, features from the cache%n", label, data.count());
            return set;
        }
        int n = data.count(), s = data.height();
        float[] pixels = new float[batch * s * s * 3];
        Batches batches = new Batches(names, pool, n);
        if (mirrored) label += " (mirrored)";
        try (Progress bar = progress.phase("features " + label, n)) {
            for (int start = 0; start < n; start += batch) {
                int count = Math.min(batch, n - start);
                int[] idx = new int[count];
                for (int k = 0; k < count; k++) idx[k] = start + k;
                data.readFloats(idx, pixels, PIXEL_SCALE, PIXEL_OFFSET);
                if (mirrored) TestTimeAugmentation.mirror(pixels, count, s, s, 3);
                batches.add(java.util.Arrays.copyOf(pixels, count * s * s * 3), count, s, last, start);
                for (int k = 0; k < count; k++) bar.step();
            }
        }
        batches.fill(set);
        if (useCache) {
            for (String name : names) {
                int[] sample = set.sampleShape(name);
                int[] full = new int[sample.length + 1];
                full[0] = n;
                System.arraycopy(sample, 0, full, 1, sample.length);
                Npy.write(cached.get(name), full, set.tensors().get(name));
            }
        }
        return set;
    }

    /** Features of in-memory images (N×S×S×3 bytes, RGB), e.g. photos given to predict; nothing is cached. */
    public FeatureSet extract(byte[] images, int n, int size, Set<String> names, Pool pool, boolean mirrored) {
        int last = lastPosition(names);
        Batches batches = new Batches(names, pool, n);
        int per = size * size * 3;
        for (int start = 0; start < n; start += batch) {
            int count = Math.min(batch, n - start);
            float[] pixels = new float[count * per];
            for (int j = 0; j < pixels.length; j++) pixels[j] = (images[start * per + j] & 0xFF) * PIXEL_SCALE + PIXEL_OFFSET;
            if (mirrored) TestTimeAugmentation.mirror(pixels, count, size, size, 3);
            batches.add(pixels, count, size, last, start);
        }
        FeatureSet set = new FeatureSet(new int[n]);
        batches.fill(set);
        return set;
    }

    private int lastPosition(Set<String> names) {
        int last = 0;
        for (String n : names) last = Math.max(last, n.equals(Graph.INPUT) ? 0 : backbone.position(n));
        return last;
    }

    /** Collects the wanted activations of successive batches into whole-set arrays (pooled when asked). */
    private final class Batches {
        private final Set<String> names;
        private final int grid, n;
        private final Map<String, float[]> out = new HashMap<>();
        private final Map<String, int[]> shapes = new HashMap<>();

        Batches(Set<String> names, Pool pool, int n) {
            this.names = names;
            this.grid = pool.gridSize();
            this.n = n;
        }

        void add(float[] pixels, int count, int size, int last, int start) {
            try (TensorScope scope = TensorScope.open(); Autograd.AutoCloseableNoThrow ng = Autograd.noGrad()) {
                Tensor x = Tensor.of(backend, pixels, count, size, size, 3);
                Map<String, Tensor> acts = backbone.run(Map.of(Graph.INPUT, x), 0, last, names);
                for (String name : names) {
                    Tensor t = acts.get(name);
                    float[] v = t.toArray();
                    int[] shape = java.util.Arrays.copyOfRange(t.shape(), 1, t.rank());
                    if (grid > 0) {
                        v = Functional.gridAveragePool2d(v, count, shape[0], shape[1], shape[2], grid);
                        shape = new int[] {grid, grid, shape[2]};
                    }
                    int per = v.length / count;
                    float[] dst = out.computeIfAbsent(name, k -> new float[n * per]);
                    shapes.put(name, shape);
                    System.arraycopy(v, 0, dst, start * per, v.length);
                }
            }
        }

        void fill(FeatureSet set) {
            for (String name : names) set.put(name, shapes.get(name), out.get(name));
        }
    }

    private Path cacheFile(Path dataFile, String tensor, String lastLayer, Pool pool, boolean mirrored) throws IOException {
        String key = Cache.key(FORMAT, Cache.fileHash(dataFile), Cache.fileHash(weightsFile), tensor, lastLayer,
                pool.id(), String.valueOf(backbone.outputShape(Graph.INPUT)[1]), mirrored ? "mirrored" : "");
        return Cache.dir("features").resolve(key + ".npy");
    }
}
