package pinkcnn.trainer.data;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import pinkcnn.trainer.Choice;
import pinkcnn.trainer.data.PhotoScan.ScannedPhoto;

/**
 * Keeps each photo once before splitting, so no photo can land in two splits (which would leak test data into
 * training). Byte-identical files and files with identical pixels are always dropped after the first (in class, then
 * path order); near-duplicates, photos whose perceptual hashes differ in at most {@code nearDistance} bits, are
 * reported, and dropped too in {@link Mode#NEAR}. The same photo (identical pixels) in folders of different classes
 * is a {@link Conflict}: no label can be right for both, so every copy is left out.
 */
public final class Deduplicator {

    /** Default largest perceptual-hash distance (of 64 bits) that counts as a near-duplicate. */
    public static final int DEFAULT_NEAR_DISTANCE = 4;

    public enum Mode implements Choice {
        EXACT, NEAR;

        /** Any case and surrounding spaces, as before this was an enum. */
        @Override
        public boolean isSpelled(String text) {
            return text.trim().toLowerCase(Locale.ROOT).equals(id());
        }

        public static Mode parse(String s) {
            Mode m = Choice.find(Mode.class, s);
            if (m == null) throw new IllegalArgumentException("unknown dedupe mode '" + s + "': use exact or near");
            return m;
        }

        @Override
        public String toString() {
            return id();
        }

        /** For picocli: {@code --dedupe exact|near}. */
        public static final class Converter extends Choice.Converter<Mode> {
            public Converter() {
                super(Mode.class);
            }
        }
    }

    public enum Kind {
        SAME_BYTES("same file as"), SAME_PIXELS("same pixels as"), NEAR("near-duplicate of");

        public final String phrase;

        Kind(String phrase) {
            this.phrase = phrase;
        }
    }

    /** A dropped photo and the kept one it repeats. */
    public record Duplicate(ScannedPhoto photo, ScannedPhoto keptCopy, Kind kind) {
    }

    /** Two kept-or-dropped photos that look alike. */
    public record NearPair(ScannedPhoto first, ScannedPhoto second, int distance) {
    }

    /** One photo found in the folders of several classes (its copies in class, then path order; labels in order). */
    public record Conflict(List<ScannedPhoto> copies, List<Integer> labels) {
    }

    public record Result(List<ScannedPhoto> kept, List<Duplicate> dropped, List<NearPair> nearPairs,
                         List<Conflict> conflicts) {
    }

    private Deduplicator() {
    }

    /** De-duplicates {@code photos} (in the order that decides which copy is kept). */
    public static Result run(List<ScannedPhoto> photos, Mode mode, int nearDistance) {
        // Identical bytes decode to identical pixels, so the pixel hash groups every copy of a photo.
        Map<String, List<ScannedPhoto>> copies = new LinkedHashMap<>();
        for (ScannedPhoto p : photos) copies.computeIfAbsent(p.pixelHash(), k -> new ArrayList<>(1)).add(p);
        List<Conflict> conflicts = new ArrayList<>();
        Set<ScannedPhoto> conflicting = new HashSet<>();
        for (List<ScannedPhoto> group : copies.values()) {
            if (group.size() < 2) continue;
            List<Integer> labels = group.stream().map(ScannedPhoto::label).distinct().toList();
            if (labels.size() > 1) {
                conflicts.add(new Conflict(List.copyOf(group), labels));
                conflicting.addAll(group);
            }
        }

        Map<String, ScannedPhoto> byBytes = new HashMap<>(), byPixels = new HashMap<>();
        List<ScannedPhoto> distinct = new ArrayList<>();
        List<Duplicate> dropped = new ArrayList<>();
        for (ScannedPhoto p : photos) {
            if (conflicting.contains(p)) continue;
            ScannedPhoto sameBytes = byBytes.putIfAbsent(p.sha256(), p);
            if (sameBytes != null) {
                dropped.add(new Duplicate(p, sameBytes, Kind.SAME_BYTES));
                continue;
            }
            ScannedPhoto samePixels = byPixels.putIfAbsent(p.pixelHash(), p);
            if (samePixels != null) {
                dropped.add(new Duplicate(p, samePixels, Kind.SAME_PIXELS));
                continue;
            }
            distinct.add(p);
        }

        // Near-duplicates: all pairs within the distance (n²/2 popcounts: 20 000 photos take well under a second).
        List<NearPair> pairs = new ArrayList<>();
        int n = distinct.size();
        int[] parent = new int[n];
        for (int i = 0; i < n; i++) parent[i] = i;
        for (int i = 0; i < n; i++) {
            long hi = distinct.get(i).perceptualHash();
            for (int j = i + 1; j < n; j++) {
                int d = ImageHashes.distance(hi, distinct.get(j).perceptualHash());
                if (d <= nearDistance) {
                    pairs.add(new NearPair(distinct.get(i), distinct.get(j), d));
                    union(parent, i, j);
                }
            }
        }
        if (mode == Mode.EXACT) return new Result(distinct, dropped, pairs, conflicts);

        // Keep the first photo of each group of look-alikes (the root is always the group's smallest index).
        List<ScannedPhoto> kept = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int root = find(parent, i);
            if (root == i) kept.add(distinct.get(i));
            else dropped.add(new Duplicate(distinct.get(i), distinct.get(root), Kind.NEAR));
        }
        return new Result(kept, dropped, pairs, conflicts);
    }

    private static int find(int[] parent, int i) {
        while (parent[i] != i) {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        return i;
    }

    private static void union(int[] parent, int a, int b) {
        int ra = find(parent, a), rb = find(parent, b);
        if (ra < rb) parent[rb] = ra;
        else if (rb < ra) parent[ra] = rb;
    }
}
