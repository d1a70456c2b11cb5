package pinkcnn.trainer.data;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
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
 * {@code status} is kept, duplicate, near-duplicate, conflict (the same photo in several classes: kept in none),
 * skipped or not-in-manifest; {@code split} is empty unless kept. Fields are quoted as RFC 4180 says (a file name
 * may hold commas, quotes and line breaks). The face columns hold the face box a sample was cropped around, in pixels
 * of the photo as decoded (after the EXIF orientation), and the detector's score; they are empty when no detector
 * ran. With {@code --faces all} a photo has one row per face. {@code --manifest FILE} reuses a split by file content:
 * a photo goes to the split its SHA-256 has in FILE (manifests from before the face columns read too).
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

    /**
     * Writes the rows as RFC 4180 CSV: a field holding a comma, a quote, a CR or an LF (a file name may hold any of
     * them) is quoted, its quotes doubled, so {@link #read} gets every field back exactly.
     */
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
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(Files.readAllBytes(file))).toString();
        } catch (CharacterCodingException e) {
            throw new UserError(file + " is not a pinkcnn manifest (not UTF-8 text)");
        } catch (IOException e) {
            throw new UserError("cannot read manifest " + file + ": " + e.getMessage());
        } catch (OutOfMemoryError e) {
            throw new UserError(file + " is too large to be a manifest (out of memory reading it)");
        }
        if (text.startsWith("\uFEFF")) text = text.substring(1);   // a byte-order mark, as spreadsheets save
        List<CsvRecord> records;
        try {
            records = parseCsv(text);
        } catch (IllegalArgumentException e) {
            throw new UserError(file + " " + e.getMessage());
        }
        String header = records.isEmpty() ? "" : String.join(",", records.get(0).fields()).strip();
        if (!header.equals(HEADER) && !header.equals(HEADER_V1)) {
            throw new UserError(file + " is not a pinkcnn manifest (first line should be '" + HEADER + "')");
        }
        int fields = header.split(",").length;
        List<Row> rows = new ArrayList<>();
        for (CsvRecord rec : records.subList(1, records.size())) {
            List<String> f = rec.fields();
            if (f.size() == 1 && f.get(0).isBlank()) continue;
            if (f.size() != fields) throw new UserError(file + " line " + rec.line() + ": expected " + fields + " fields, found " + f.size());
            try {
                Face face = fields > 8 && !f.get(8).isEmpty() ? new Face(Double.parseDouble(f.get(8)), Double.parseDouble(f.get(9)),
                        Double.parseDouble(f.get(10)), Double.parseDouble(f.get(11)), Double.parseDouble(f.get(12))) : null;
                rows.add(new Row(f.get(0), f.get(1), Integer.parseInt(f.get(2)), f.get(3), f.get(4), f.get(5), f.get(6), f.get(7), face));
            } catch (NumberFormatException e) {
                throw new UserError(file + " line " + rec.line() + ": a number is malformed (" + e.getMessage() + ")");
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

    /** One CSV record and the line it starts on (1-based), for messages. */
    record CsvRecord(int line, List<String> fields) {
    }

    /**
     * Splits RFC 4180 text into records: fields are separated by commas, records by LF, CRLF or CR; a quoted field
     * may hold commas, line breaks and doubled quotes. Leniently, a quote inside an unquoted field is kept as it is,
     * and text after a closing quote is appended. A quoted field still open at the end is an error.
     */
    static List<CsvRecord> parseCsv(String text) {
        List<CsvRecord> records = new ArrayList<>();
        List<String> fields = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        int line = 1, recordLine = 1, quoteLine = 0;
        boolean quoted = false, atFieldStart = true;
        int n = text.length();
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (quoted) {
                if (c == '"') {
                    if (i + 1 < n && text.charAt(i + 1) == '"') {
                        cur.append('"');
                        i++;
                    } else {
                        quoted = false;
                    }
                } else {
                    if (c == '\n' || (c == '\r' && (i + 1 >= n || text.charAt(i + 1) != '\n'))) line++;
                    cur.append(c);
                }
            } else if (c == '"' && atFieldStart) {
                quoted = true;
                quoteLine = line;
                atFieldStart = false;
            } else if (c == ',') {
                fields.add(cur.toString());
                cur.setLength(0);
                atFieldStart = true;
            } else if (c == '\n' || c == '\r') {
                if (c == '\r' && i + 1 < n && text.charAt(i + 1) == '\n') i++;
                fields.add(cur.toString());
                records.add(new CsvRecord(recordLine, List.copyOf(fields)));
                fields.clear();
                cur.setLength(0);
                atFieldStart = true;
                recordLine = ++line;
            } else {
                cur.append(c);
                atFieldStart = false;
            }
        }
        if (quoted) throw new IllegalArgumentException("line " + quoteLine + ": a quoted field is not closed");
        if (!fields.isEmpty() || cur.length() > 0) {
            fields.add(cur.toString());
            records.add(new CsvRecord(recordLine, List.copyOf(fields)));
        }
        return records;
    }
}
