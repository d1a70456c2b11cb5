package pinkcnn.trainer.data;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import pinkcnn.trainer.data.Deduplicator.Conflict;
import pinkcnn.trainer.data.Deduplicator.Duplicate;
import pinkcnn.trainer.data.Deduplicator.NearPair;
import pinkcnn.trainer.data.PhotoScan.Outcome;
import pinkcnn.trainer.data.PhotoScan.Rejected;
import pinkcnn.trainer.data.PhotoScan.ScannedPhoto;
import pinkcnn.trainer.face.Face;
import pinkcnn.trainer.face.FaceChoice;

/** What {@code prepare} found and did: the summary table, the lists of skipped and duplicate files, the manifest rows. */
public final class PrepareReport {

    /** Lists in the summary show this many entries; the manifest has them all. */
    private static final int LISTED = 25;

    private final PrepareJob.Options options;
    private final RawDataset raw;
    private final List<Outcome> outcomes;
    private final Deduplicator.Result dedupe;
    private final Map<ScannedPhoto, Split> assignment;
    private final List<ScannedPhoto> notInManifest;
    private final Map<Split, Integer> imagesWritten = new EnumMap<>(Split.class);
    /** The faces found in each usable photo, most confident first (empty without a detector). */
    private final Map<ScannedPhoto, List<Face>> faces;
    private final String cropLine;
    private long elapsedNanos;
    private List<Manifest.Row> rows;
    private Map<Split, List<Sample>> samples;

    /** One image of a split before augmentation: a photo and the face it is cropped around (null: no face crop). */
    public record Sample(ScannedPhoto photo, Face face, int faceIndex, int manifestRow) {}

    PrepareReport(PrepareJob.Options options, RawDataset raw, List<Outcome> outcomes, Deduplicator.Result dedupe,
                  Map<ScannedPhoto, Split> assignment, List<ScannedPhoto> notInManifest) {
        this(options, raw, outcomes, dedupe, assignment, notInManifest, Map.of(), null);
    }

    PrepareReport(PrepareJob.Options options, RawDataset raw, List<Outcome> outcomes, Deduplicator.Result dedupe,
                  Map<ScannedPhoto, Split> assignment, List<ScannedPhoto> notInManifest,
                  Map<ScannedPhoto, List<Face>> faces, String cropLine) {
        this.options = options;
        this.raw = raw;
        this.outcomes = outcomes;
        this.dedupe = dedupe;
        this.assignment = assignment;
        this.notInManifest = notInManifest;
        this.faces = faces;
        this.cropLine = cropLine;
    }

    /** The samples of one split, photo by photo in class then path order (one per photo, or per face). */
    public List<Sample> samplesIn(Split split) {
        layout();
        return samples.get(split);
    }

    /** The photos found with more than one face, and how many. */
    public Map<ScannedPhoto, Integer> severalFaces() {
        Map<ScannedPhoto, Integer> out = new java.util.LinkedHashMap<>();
        for (Outcome oc : outcomes) {
            if (oc.usable() && assignment.containsKey(oc.photo()) && faces.getOrDefault(oc.photo(), List.of()).size() > 1) {
                out.put(oc.photo(), faces.get(oc.photo()).size());
            }
        }
        return out;
    }

    public List<String> classNames() {
        return raw.classNames();
    }

    /** The kept photos of one split, in class then path order. */
    public List<ScannedPhoto> photosIn(Split split) {
        List<ScannedPhoto> out = new ArrayList<>();
        assignment.forEach((p, s) -> {
            if (s == split) out.add(p);
        });
        return out;
    }

    /** Photos per class (rows) and split (columns). */
    public int[][] photoCounts() {
        int[][] counts = new int[raw.classNames().size()][Split.values().length];
        assignment.forEach((p, s) -> counts[p.label()][s.ordinal()]++);
        return counts;
    }

    public int imagesWritten(Split split) {
        return imagesWritten.getOrDefault(split, 0);
    }

    public List<Rejected> rejected() {
        List<Rejected> out = new ArrayList<>();
        for (Outcome oc : outcomes) if (!oc.usable()) out.add(oc.rejected());
        return out;
    }

    public List<Duplicate> duplicates() {
        return dedupe.dropped();
    }

    public List<NearPair> nearPairs() {
        return dedupe.nearPairs();
    }

    public List<Conflict> conflicts() {
        return dedupe.conflicts();
    }

    /** "same photo in two classes: A, B": why a conflict's copies are left out. */
    String reason(Conflict c) {
        List<String> names = c.labels().stream().map(this::className).toList();
        String count = names.size() == 2 ? "two" : names.size() == 3 ? "three" : Integer.toString(names.size());
        return "same photo in " + count + " classes: " + String.join(", ", names);
    }

    private static String paths(List<ScannedPhoto> photos) {
        return String.join(", ", photos.stream().map(ScannedPhoto::relativePath).toList());
    }

    public double seconds() {
        return elapsedNanos / 1e9;
    }

    void wrote(Split split, int images) {
        imagesWritten.put(split, images);
    }

    void finished(long nanos) {
        elapsedNanos = nanos;
    }

    /** One row per file found, in class then path order (a photo cropped around several faces: one per face). */
    List<Manifest.Row> manifestRows() {
        layout();
        return rows;
    }

    /** The manifest rows and, for each split, its samples with the row each comes from. */
    private void layout() {
        if (rows != null) return;
        rows = new ArrayList<>();
        samples = new EnumMap<>(Split.class);
        for (Split s : Split.values()) samples.put(s, new ArrayList<>());
        Map<ScannedPhoto, Duplicate> dropped = new HashMap<>();
        for (Duplicate d : dedupe.dropped()) dropped.put(d.photo(), d);
        FaceChoice choice = options.faces() == null ? FaceChoice.LARGEST : options.faces().choice();
        Map<ScannedPhoto, Conflict> conflicting = new HashMap<>();
        for (Conflict c : dedupe.conflicts()) for (ScannedPhoto p : c.copies()) conflicting.put(p, c);
        for (Outcome oc : outcomes) {
            if (!oc.usable()) {
                RawDataset.RawFile f = oc.rejected().raw();
                rows.add(new Manifest.Row(f.relativePath(), className(f.label()), f.label(), "", "skipped", "", "",
                        oc.rejected().reason()));
                continue;
            }
            ScannedPhoto p = oc.photo();
            String phash = HexFormat.of().toHexDigits(p.perceptualHash());
            Conflict c = conflicting.get(p);
            if (c != null) {
                rows.add(new Manifest.Row(p.relativePath(), className(p.label()), p.label(), "", "conflict", p.sha256(),
                        phash, reason(c) + " (copies: " + paths(c.copies()) + ")"));
                continue;
            }
            Duplicate d = dropped.get(p);
            Split s = assignment.get(p);
            String status = d != null ? (d.kind() == Deduplicator.Kind.NEAR ? "near-duplicate" : "duplicate")
                    : s != null ? "kept" : "not-in-manifest";
            String note = d != null ? d.kind().phrase + " " + d.keptCopy().relativePath() : "";
            List<Face> found = faces.getOrDefault(p, List.of());
            if (s == null || found.isEmpty()) {
                if (s != null) samples.get(s).add(new Sample(p, null, 0, rows.size()));
                rows.add(new Manifest.Row(p.relativePath(), className(p.label()), p.label(), s == null ? "" : s.id(), status,
                        p.sha256(), phash, note));
                continue;
            }
            List<Face> used = choice.choose(found);
            for (int k = 0; k < used.size(); k++) {
                String faceNote = found.size() == 1 ? note : switch (choice) {
                    case BEST -> "several faces (" + found.size() + "): the most confident used";
                    case LARGEST -> "several faces (" + found.size() + "): the largest used";
                    case ALL -> "several faces: face " + (k + 1) + " of " + found.size();
                };
                samples.get(s).add(new Sample(p, used.get(k), found.indexOf(used.get(k)), rows.size()));
                rows.add(new Manifest.Row(p.relativePath(), className(p.label()), p.label(), s.id(), status, p.sha256(), phash,
                        faceNote, used.get(k)));
            }
        }
    }

    private String className(int label) {
        return raw.classNames().get(label);
    }

    /** The end-of-run summary. */
    public void print(PrintWriter out) {
        int classes = raw.classNames().size();
        int[] found = new int[classes], decoded = new int[classes], skipped = new int[classes], dups = new int[classes];
        for (Outcome oc : outcomes) {
            if (oc.usable()) {
                found[oc.photo().label()]++;
                decoded[oc.photo().label()]++;
            } else {
                found[oc.rejected().raw().label()]++;
                skipped[oc.rejected().raw().label()]++;
            }
        }
        for (Duplicate d : dedupe.dropped()) dups[d.photo().label()]++;
        int[] conflicted = new int[classes];
        for (Conflict c : dedupe.conflicts()) for (ScannedPhoto p : c.copies()) conflicted[p.label()]++;
        boolean anyConflict = !dedupe.conflicts().isEmpty();   // the column only when there is something in it
        int[][] perSplit = photoCounts();

        Preprocessing pre = options.preprocessing();
        out.printf(Locale.ROOT, "Prepared %s -> %s in %.1f s: %d×%d, crop %s, train ×%d (original + %d variants), "
                        + "split %s, seed %d%n", raw.root(), options.out(), seconds(), pre.size(), pre.size(), pre.describeCrop(),
                options.augment(), options.augment() - 1, options.ratios(), options.seed());
        if (cropLine != null) out.println(cropLine);
        out.println();
        int nameWidth = Math.max(5, raw.classNames().stream().mapToInt(String::length).max().orElse(5));
        String row = "%-" + nameWidth + "s %7s %8s %8s %11s" + (anyConflict ? " %10s" : "%s") + " %7s %6s %6s%n";
        out.printf(row, "class", "files", "decoded", "skipped", "duplicates", anyConflict ? "conflicts" : "", "train", "dev", "test");
        int[] totals = new int[8];
        for (int c = 0; c < classes; c++) {
            int[] v = {found[c], decoded[c], skipped[c], dups[c], conflicted[c], perSplit[c][0], perSplit[c][1], perSplit[c][2]};
            for (int i = 0; i < 8; i++) totals[i] += v[i];
            out.printf(row, raw.classNames().get(c), v[0], v[1], v[2], v[3], anyConflict ? v[4] : "", v[5], v[6], v[7]);
        }
        out.printf(row, "total", totals[0], totals[1], totals[2], totals[3], anyConflict ? totals[4] : "", totals[5],
                totals[6], totals[7]);
        out.println();
        for (Split s : Split.values()) {
            int photos = totals[5 + s.ordinal()], count = samplesIn(s).size();
            String what = count == photos ? photos + " photos" : count + " faces of " + photos + " photos";
            out.printf(Locale.ROOT, "  %-9s %6d images%s%n", s.fileName(), imagesWritten(s),
                    s == Split.TRAIN && options.augment() > 1 ? " (" + what + " × " + options.augment() + ")"
                            : count != photos ? " (" + what + ")" : "");
        }
        out.println("  " + Manifest.FILE_NAME + "  every file and what became of it (split, hashes, reasons)");
        if (raw.hiddenIgnored() > 0) out.println("  (" + raw.hiddenIgnored() + " hidden files or folders ignored)");

        List<String> lines = new ArrayList<>();
        for (Rejected r : rejected()) lines.add(r.raw().relativePath() + ": " + r.reason());
        for (RawDataset.Unlisted u : raw.unlisted()) lines.add(u.relativePath() + ": " + u.reason());
        list(out, "Skipped (unusable)", lines);
        lines.clear();
        for (Duplicate d : dedupe.dropped()) {
            lines.add(d.photo().relativePath() + ": " + d.kind().phrase + " " + d.keptCopy().relativePath());
        }
        list(out, "Duplicates (dropped before splitting)", lines);
        lines.clear();
        for (Conflict c : dedupe.conflicts()) lines.add(paths(c.copies()) + ": " + reason(c));
        list(out, "Same photo in different classes (left out of every class)", lines);
        if (options.dedupe() == Deduplicator.Mode.EXACT) {
            lines.clear();
            for (NearPair p : dedupe.nearPairs()) {
                lines.add(p.first().relativePath() + " ~ " + p.second().relativePath() + " (distance " + p.distance() + ")");
            }
            list(out, "Near-duplicates (kept; --dedupe near drops them)", lines);
        }
        lines.clear();
        severalFaces().forEach((p, n) -> lines.add(p.relativePath() + ": " + n + " faces"));
        FaceChoice choice = options.faces() == null ? FaceChoice.LARGEST : options.faces().choice();
        list(out, "Several faces (" + switch (choice) {
            case BEST -> "the most confident used; --faces all keeps each";
            case LARGEST -> "the largest used; --faces all keeps each";
            case ALL -> "each face its own sample, in the photo's split";
        } + ")", lines);
        lines.clear();
        for (ScannedPhoto p : notInManifest) lines.add(p.relativePath());
        list(out, "Not in " + options.manifest() + " (left out)", lines);
    }

    /** The text with control characters escaped (a line break as {@code \n}): lists are one line per file. */
    static String printable(String s) {
        StringBuilder b = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean control = c < 0x20 || c == 0x7F || c == 0x85 || c == 0x2028 || c == 0x2029;
            if (control && b == null) b = new StringBuilder(s.substring(0, i));
            if (b == null) continue;
            if (!control) b.append(c);
            else if (c == '\n') b.append("\\n");
            else if (c == '\r') b.append("\\r");
            else if (c == '\t') b.append("\\t");
            else b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
        }
        return b == null ? s : b.toString();
    }

    private static void list(PrintWriter out, String title, List<String> lines) {
        if (lines.isEmpty()) return;
        out.println();
        out.println(title + ": " + lines.size());
        for (int i = 0; i < Math.min(LISTED, lines.size()); i++) out.println("  " + printable(lines.get(i)));
        if (lines.size() > LISTED) out.println("  ... and " + (lines.size() - LISTED) + " more (see " + Manifest.FILE_NAME + ")");
    }
}
