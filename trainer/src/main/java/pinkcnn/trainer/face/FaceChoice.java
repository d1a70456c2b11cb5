package pinkcnn.trainer.face;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import pinkcnn.trainer.Choice;

/**
 * Which faces of a photo with several become samples ({@code prepare --faces}). The default, {@link #LARGEST}, was
 * measured against {@link #BEST} on off-centre LFW faces, where the other faces are bystanders in the portraits'
 * backgrounds: the largest box sat on the pasted face in 317 of 317 pictures, the most confident in 313 (docs/faces.md).
 */
public enum FaceChoice implements Choice {
    /** The largest face box: the subject of a photo is usually nearer the camera than bystanders. */
    LARGEST,
    /** The most confident face. */
    BEST,
    /** Every face, each its own sample (all in the photo's split). */
    ALL;

    /** The chosen faces of a photo, from the detector's list (most confident first). */
    public List<Face> choose(List<Face> faces) {
        if (faces.isEmpty()) return List.of();
        return switch (this) {
            case BEST -> List.of(faces.get(0));
            case LARGEST -> List.of(faces.stream().max(Comparator.comparingDouble(Face::area)).orElseThrow());
            case ALL -> new ArrayList<>(faces);
        };
    }

    @Override
    public String toString() {
        return id();
    }

    /** For picocli: {@code --faces best|largest|all}. */
    public static final class Converter extends Choice.Converter<FaceChoice> {
        public Converter() {
            super(FaceChoice.class);
        }
    }
}
