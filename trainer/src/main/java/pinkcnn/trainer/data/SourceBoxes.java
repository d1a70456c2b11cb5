package pinkcnn.trainer.data;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import pinkcnn.trainer.face.Face;
import pinkcnn.trainer.face.FacePictures;

/**
 * Where each image of a prepared file came from, for {@code check}'s contact sheet: the file's per-image manifest row
 * ({@code {split}_set_source}), the {@code manifest.csv} beside it, and the photos under the folder prepare read
 * ({@code source_folder}), each drawn with the face box the image was cropped around.
 */
final class SourceBoxes {
    private final List<Manifest.Row> rows;
    private final long[] sources;
    private final Path folder;

    private SourceBoxes(List<Manifest.Row> rows, long[] sources, Path folder) {
        this.rows = rows;
        this.sources = sources;
        this.folder = folder;
    }

    /**
     * The sources of a file whose manifest has face boxes, or null (no boxes to show, or the manifest or photos are
     * missing: said on {@code out}).
     */
    static SourceBoxes of(DatasetReader data, PrintWriter out) {
        Path manifest = data.file().toAbsolutePath().resolveSibling(Manifest.FILE_NAME);
        long[] sources = data.sources().orElse(null);
        String root = data.attributes().get("source_folder");
        if (sources == null || !Files.isRegularFile(manifest)) return null;
        List<Manifest.Row> rows = Manifest.read(manifest);
        if (rows.stream().noneMatch(r -> r.face() != null)) return null;
        for (long s : sources) {
            if (s < 0 || s >= rows.size()) {
                out.println("  (" + manifest + " does not match this file: no source boxes on the contact sheet)");
                return null;
            }
        }
        if (root == null || !Files.isDirectory(Path.of(root))) {
            out.println("  (the photos' folder " + root + " is gone: no source boxes on the contact sheet)");
            return null;
        }
        return new SourceBoxes(rows, sources, Path.of(root));
    }

    /** Image i's photo with its box, or null when the photo no longer decodes or has no box. */
    ContactSheet.Source source(int i) {
        Manifest.Row row = rows.get((int) sources[i]);
        if (row.face() == null) return null;
        try {
            RgbImage photo = ImageDecoder.decode(folder.resolve(row.path()));
            Face f = row.face();
            // lines thick enough to survive the shrinking to a tile
            return new ContactSheet.Source(FacePictures.draw(photo, List.of(new FacePictures.Box(f, null)), 50),
                    String.format(Locale.ROOT, "face %.2f", f.score()));
        } catch (UnusableImageException e) {
            return null;
        }
    }
}
