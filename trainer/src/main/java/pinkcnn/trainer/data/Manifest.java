package pinkcnn.trainer.data;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import pinkcnn.trainer.UserError;

/**
 * {@code manifest.csv}: one row per file found, saying what became of it, so a split can be audited and repeated.
 * <pre>
 * path,class,label,split,status,sha256,phash,note
 * Ariel_Sharon/Ariel_Sharon_0001.jpg,Ariel_Sharon,0,train,kept,9f2c…,c3a1…,
 * Ariel_Sharon/copy.jpg,Ariel_Sharon,0,,duplicate,9f2c…,c3a1…,same file as Ariel_Sharon/Ariel_Sharon_0001.jpg
 * </pre>
 * {@code status} is kept, duplicate, near-duplicate, skipped or not-in-manifest; {@code split} is empty unless kept.
 * {@code --manifest FILE} reuses a split by file content: a photo goes to the split its SHA-256 has in FILE.
 */
public final class Manifest {

    public static final String FILE_NAME = "manifest.csv";
    static final String HEADER = "path,class,label,split,status,sha256,phash,note";

    /** One file's fate. */
    public record Row(String path, String className, int label, String split, String status, String sha256,
                      String phash, String note) {
    }

    private Manifest() {
    }

    public static void write(Path file, List<Row> rows) throws IOException {
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            w.write(HEADER);
            w.write('\n');
            for (Row r : rows) {
                w.write(String.join(",", csv(r.path()), csv(r.className()), Integer.toString(r.label()), csv(r.split()),
                        csv(r.status()), csv(r.sha256()), csv(r.phash()), csv(r.note())));
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
        if (lines.isEmpty() || !lines.get(0).strip().equals(HEADER)) {
            throw new UserError(file + " is not a pinkcnn manifest (first line should be '" + HEADER + "')");
        }
        List<Row> rows = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) continue;
            List<String> f = parseCsvLine(lines.get(i));
            if (f.size() != 8) throw new UserError(file + " line " + (i + 1) + ": expected 8 fields, found " + f.size());
            try {
                rows.add(new Row(f.get(0), f.get(1), Integer.parseInt(f.get(2)), f.get(3), f.get(4), f.get(5), f.get(6), f.get(7)));
            } catch (NumberFormatException e) {
                throw new UserError(file + " line " + (i + 1) + ": label '" + f.get(2) + "' is not a number");
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
