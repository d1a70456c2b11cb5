package pinkcnn.trainer.data;

import java.nio.file.Path;

/**
 * Writes a synthetic photo folder for the {@code prepare} memory benchmark (docs/data.md):
 * {@code java -cp … pinkcnn.trainer.data.SyntheticPhotos DIR CLASSES PER_CLASS WIDTH HEIGHT}.
 */
public final class SyntheticPhotos {

    private SyntheticPhotos() {
    }

    public static void main(String[] args) {
        if (args.length != 5) {
            System.err.println("usage: SyntheticPhotos DIR CLASSES PER_CLASS WIDTH HEIGHT");
            System.exit(2);
        }
        int classes = Integer.parseInt(args[1]), perClass = Integer.parseInt(args[2]);
        int[] counts = new int[classes];
        java.util.Arrays.fill(counts, perClass);
        TestImages.photoFolders(Path.of(args[0]), counts, Integer.parseInt(args[3]), Integer.parseInt(args[4]));
    }
}
