package pinkcnn.trainer.cam;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import pinkcnn.engine.io.Npy;
import pinkcnn.trainer.data.ImageDecoder;
import pinkcnn.trainer.data.Preprocessing;
import pinkcnn.trainer.data.Progress;
import pinkcnn.trainer.data.RgbImage;
import pinkcnn.trainer.data.UnusableImageException;
import pinkcnn.trainer.face.Face;
import pinkcnn.trainer.train.FeatureExtractor;

/**
 * Computes and writes the maps of photos, as {@code cam} and {@code predict --cam} do: for each photo, class and
 * method, {@code <photo>-<class>-<method>.png} ({@link CamFigure}) and {@code .npy} (the raw map, h×w float32 at the
 * layer's resolution), each written atomically.
 */
public final class CamWriter {
    /** Photos per compute-then-write step: the maps of a few photos are held at a time, not all. */
    private static final int CHUNK = 8;

    private CamWriter() {}

    /**
     * @param inputs  the photos preprocessed as in training (n × size × size × 3 RGB bytes), in the order of photos
     * @param classes the classes of each photo: class indices, or {@link ClassActivationMaps#TOP}; as many for each
     * @return the files written
     */
    public static List<Path> write(ClassActivationMaps cams, Preprocessing prep, List<Path> photos, byte[] inputs,
                                   String layer, int[][] classes, List<CamMethod> methods, List<String> classNames,
                                   Path outDir, Progress.Factory progress, PrintStream out) throws IOException {
        return write(cams, prep, photos, inputs, layer, classes, methods, classNames, outDir, progress, out, new HashSet<>(),
                null, null);
    }

    /**
     * As above, for one of several batches of photos written into the same folder, and for inputs cropped around
     * faces: {@code usedStems} holds the file names the earlier batches took (and gets this batch's), so two photos of
     * the same name never share a file; {@code faces} gives each input's face (its crop box on the photo) and
     * {@code originals} each input's decoded photo (null: decoded again from {@code photos}).
     */
    public static List<Path> write(ClassActivationMaps cams, Preprocessing prep, List<Path> photos, byte[] inputs,
                                   String layer, int[][] classes, List<CamMethod> methods, List<String> classNames,
                                   Path outDir, Progress.Factory progress, PrintStream out, Set<String> usedStems,
                                   List<Face> faces, List<RgbImage> originals) throws IOException {
        Files.createDirectories(outDir);
        int size = cams.inputSize(), per = size * size * 3;
        List<String> stems = stems(photos, usedStems);
        List<Path> written = new ArrayList<>();
        try (Progress bar = progress.phase("class activation maps", photos.size())) {
            for (int start = 0; start < photos.size(); start += CHUNK) {
                int count = Math.min(CHUNK, photos.size() - start);
                byte[] chunk = Arrays.copyOfRange(inputs, start * per, (start + count) * per);
                List<ClassActivationMaps.Result> results = cams.compute(
                        ClassActivationMaps.scaled(chunk, FeatureExtractor.PIXEL_SCALE, FeatureExtractor.PIXEL_OFFSET),
                        count, layer, Arrays.copyOfRange(classes, start, start + count), methods);
                for (int i = 0; i < count; i++) {
                    int photo = start + i;
                    RgbImage original = originals != null ? originals.get(photo) : decodeAgain(photos.get(photo));
                    Face face = faces == null ? null : faces.get(photo);
                    double[] box = original == null || (prep.crop() == Preprocessing.Crop.FACE && face == null) ? null
                            : prep.cropBox(original.width(), original.height(), face);
                    byte[] network = Arrays.copyOfRange(chunk, i * per, (i + 1) * per);
                    Set<Integer> done = new HashSet<>();
                    for (ClassActivationMaps.Result r : results) {
                        // "top" may be a class also asked for by name: its maps are written once
                        if (r.image() != i || !done.add(r.classIndex())) continue;
                        String className = classNames.get(r.classIndex());
                        for (CamMethod m : methods) {
                            String base = stems.get(photo) + "-" + fileSafe(className) + "-" + m.id();
                            Path png = outDir.resolve(base + ".png"), npy = outDir.resolve(base + ".npy");
                            float[] map = r.maps().get(m);
                            Npy.write(npy, new int[] {r.height(), r.width()}, map);
                            CamFigure.write(png, network, size, original, box, map, r.height(), r.width(), className,
                                    r.probability(), m, r.layer(), photos.get(photo).getFileName().toString());
                            written.add(png);
                            written.add(npy);
                            if (out != null) out.printf("%s: %s %.1f %% -> %s%n", photos.get(photo), className, 100 * r.probability(), png);
                        }
                    }
                    bar.step();
                }
            }
        }
        return written;
    }

    /** The photo decoded again for the figure (null if it no longer decodes: the figure then shows the input only). */
    private static RgbImage decodeAgain(Path photo) {
        try {
            return ImageDecoder.decode(photo);
        } catch (UnusableImageException e) {
            return null;
        }
    }

    /** File-name stems of the photos, made unique with -2, -3 … where two photos share a name. */
    public static List<String> stems(List<Path> photos) {
        return stems(photos, new HashSet<>());
    }

    /** As above, also unique against (and adding to) {@code used}: the names earlier batches took. */
    public static List<String> stems(List<Path> photos, Set<String> used) {
        List<String> out = new ArrayList<>();
        for (Path p : photos) {
            String name = p.getFileName().toString();
            int dot = name.lastIndexOf('.');
            String stem = fileSafe(dot > 0 ? name.substring(0, dot) : name), s = stem;
            for (int k = 2; !used.add(s); k++) s = stem + "-" + k;
            out.add(s);
        }
        return out;
    }

    /** A name usable in a file name on every system (letters, digits, '.', '_', '-', '+'). */
    static String fileSafe(String s) {
        return s.replaceAll("[^A-Za-z0-9._+-]", "_");
    }
}
