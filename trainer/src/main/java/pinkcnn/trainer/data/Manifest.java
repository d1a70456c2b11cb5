package pinkcnn.trainer.data;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import pinkcnn.trainer.UserError;
import pinkcnn.trainer.face.Face;

/**
 * {@code manifest.csv}: one row per file found, saying what became of it, so a split can be audited and repeated.
 * <pre>
 * path,class,label,split,status,sha256,phash,note,face_x0,face_y0,face_x1,face_y1,face_score
 * Ariel_Sharon/Ariel_Sharon_0001.jpg,Ariel_Sharon,0,train,kept,9f2c…,c3a1…,,40.2,34.1,105.9,111.7,0.8994
 * Ariel_Sharon/copy.jpg,Ariel_Sharon,0,,duplicate,9f2c…,c3a1…,same file as Ariel_Sharon/Ariel_Sharon_0001.jpg,,,,,
 * </pre>
 * {@code status} is kept, duplicate, near-duplicate, skipped or not-in-manifest; {@code split} is empty unless kept.
 * The face columns hold the face box a sample was cropped around, in pixels of the photo as decoded (after the EXIF
 * orientation), and the detector's score; they are empty when no detector ran. With {@code --faces all} a photo has
 * one row per face. {@code --manifest FILE} reuses a split by file content: a photo goes to the split its SHA-256 has
 * in FILE (manifests from before the face columns read too).
 */
public final class Manifest {

    public static final String FILE_NAME = "manifest.csv";
    static final String HEADER_V1 = "path,class,label,split,status,sha256,phash,note";
    static final String HEADER = HEADER_V1 + ",face_x0,face_y0,face_x1,face_y1,face_score";

    /** One file's fate, and the face a sample of it was cropped around (null: no detector ran, or none used). */
    public record Row(String path, String className, int label, String split, String status, String sha256,
                      String phash, String note, Face face) {
        public Row(String path, String className, int label, String split, String status, String sha256, String phash,
                   String note) {
            this(path, className, label, split, status, sha256, phash, note, null);
        }
    }

    private Manifest() {
    }

    public static void write(Path file, List<Row> rows) throws IOException {
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            w.write(HEADER);
            w.write('\n');
            for (Row r : rows) {
                w.write(String.join(",", csv(r.path()), csv(r.className()), Integer.toString(r.label()), csv(r.split()),
                        csv(r.status()), csv(r.sha256()), csv(r.phash()), csv(r.note()), faceColumns(r.face())));
                w.write('\n');
            }
        }
    }

    public static List<Row> read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new UserError(file + " is not a pinkcnn manifest (not UTF-8 text)");
        } catch (IOException e) {
            throw new UserError("cannot read manifest " + file + ": " + e.getMessage());
        }
        String header = lines.isEmpty() ? "" : lines.get(0).strip();
        if (!header.equals(HEADER) && !header.equals(HEADER_V1)) {
            throw new UserError(file + " is not a pinkcnn manifest (first line should be '" + HEADER + "')");
        }
        int fields = header.split(",").length;
        List<Row> rows = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) continue;
            List<String> f = parseCsvLine(lines.get(i));
            if (f.size() != fields) throw new UserError(file + " line " + (i + 1) + ": expected " + fields + " fields, found " + f.size());
            try {
                Face face = fields > 8 && !f.get(8).isEmpty() ? new Face(Double.parseDouble(f.get(8)), Double.parseDouble(f.get(9)),
                        Double.parseDouble(f.get(10)), Double.parseDouble(f.get(11)), Double.parseDouble(f.get(12))) : null;
                rows.add(new Row(f.get(0), f.get(1), Integer.parseInt(f.get(2)), f.get(3), f.get(4), f.get(5), f.get(6), f.get(7), face));
            } catch (NumberFormatException e) {
                throw new UserError(file + " line " + (i + 1) + ": a number is malformed (" + e.getMessage() + ")");
            }
        }
        return rows;
    }

    /** SHA-256 → split of the kept photos of a manifest. */
    public static Map<String, Split> splitsByHash(Path file) {
        Map<String, Split> out = new HashMap<>();
        for (Row r : read(file)) {
            Split.byId(r.split()).ifPresent(s -> {
                Split before = out.put(r.sha256(), s);
                if (before != null && before != s) {
                    throw new UserError(file + ": the photo with SHA-256 " + r.sha256() + " is in both " + before + " and " + s);
                }
            });
        }
        return out;
    }

    private static String faceColumns(Face f) {
        if (f == null) return ",,,,";
        return String.format(Locale.ROOT, "%.1f,%.1f,%.1f,%.1f,%.4f", f.x0(), f.y0(), f.x1(), f.y1(), f.score());
    }

    private static String csv(String s) {
        if (s == null) return "";
        if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0) return s;
        return '"' + s.replace("\"", "\"\"") + '"';
    }

    static List<String> parseCsvLine(String line) {
        List<String> fields = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    cur.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    cur.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                fields.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        fields.add(cur.toString());
        return fields;
    }
}
