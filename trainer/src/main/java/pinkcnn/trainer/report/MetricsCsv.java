package pinkcnn.trainer.report;

import pinkcnn.engine.io.AtomicFiles;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import pinkcnn.trainer.UserError;

/**
 * {@code metrics.csv}: one {@link EpochRow} per line under a header, appended as training goes, read back for
 * {@code --resume} and for the curves plot.
 *
 * <p>Numbers are written so that they read back exactly (shortest round-trip form; the learning rate as a float when
 * it is one, so 1e-3f shows as 0.001), except the seconds, which keep milliseconds. The reader finds columns by name,
 * so files with extra columns still read.
 */
public final class MetricsCsv {

    public static final String FILE_NAME = "metrics.csv";
    public static final List<String> COLUMNS = List.of("epoch", "train_loss", "train_accuracy", "dev_loss",
            "dev_accuracy", "seconds", "learning_rate");
    private static final String HEADER = String.join(",", COLUMNS);

    private MetricsCsv() {
    }

    /**
     * Appends one row (and the header first, when the file is new or empty), in a single write that is flushed to
     * disk before returning.
     *
     * @throws UserError when the existing file has a different header
     */
    public static void append(Path csv, EpochRow row) throws IOException {
        StringBuilder text = new StringBuilder();
        if (!Files.exists(csv) || Files.size(csv) == 0) {
            text.append(HEADER).append('\n');
        } else {
            String first;
            try (var lines = Files.lines(csv, StandardCharsets.UTF_8)) {
                first = lines.findFirst().orElse("");
            }
            if (!first.strip().equals(HEADER)) {
                throw new UserError(csv + ": its header is \"" + first.strip() + "\", expected \"" + HEADER
                        + "\"; move the file away to start a new log");
            }
        }
        text.append(line(row)).append('\n');
        try (FileChannel ch = FileChannel.open(csv, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            ch.write(StandardCharsets.UTF_8.encode(text.toString()));
            ch.force(false);
        } catch (IOException e) {
            IOException full = AtomicFiles.diskFull(csv, e);
            throw full != null ? full : e;
        }
    }

    /** Replaces the file with these rows (atomically). */
    public static void write(Path csv, List<EpochRow> rows) throws IOException {
        StringBuilder text = new StringBuilder(HEADER).append('\n');
        for (EpochRow r : rows) text.append(line(r)).append('\n');
        AtomicFiles.writeString(csv, text.toString());
    }

    /** Drops the rows after {@code lastEpoch} (e.g. epochs logged after the checkpoint a run resumes from); returns the rest. */
    public static List<EpochRow> truncateAfter(Path csv, int lastEpoch) throws IOException {
        List<EpochRow> rows = read(csv);
        List<EpochRow> kept = rows.stream().filter(r -> r.epoch() <= lastEpoch).toList();
        if (kept.size() != rows.size()) write(csv, kept);
        return kept;
    }

    /**
     * The rows of the file, in file order; none when the file does not exist.
     *
     * @throws UserError naming the file and line when it is not a metrics log
     */
    public static List<EpochRow> read(Path csv) throws IOException {
        if (!Files.exists(csv)) return List.of();
        List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
        List<EpochRow> rows = new ArrayList<>();
        if (lines.isEmpty()) return rows;
        List<String> header = Arrays.stream(lines.get(0).split(",", -1)).map(String::strip).toList();
        int[] column = new int[COLUMNS.size()];
        for (int i = 0; i < column.length; i++) {
            column[i] = header.indexOf(COLUMNS.get(i));
            if (column[i] < 0) throw new UserError(csv + ": no column \"" + COLUMNS.get(i) + "\" in the header line");
        }
        for (int n = 1; n < lines.size(); n++) {
            String text = lines.get(n).strip();
            if (text.isEmpty()) continue;
            String[] cells = text.split(",", -1);
            if (cells.length != header.size()) {
                throw new UserError(csv + ", line " + (n + 1) + ": " + cells.length + " values, expected " + header.size());
            }
            try {
                rows.add(new EpochRow(Integer.parseInt(cells[column[0]].strip()), number(cells[column[1]]),
                        number(cells[column[2]]), number(cells[column[3]]), number(cells[column[4]]),
                        number(cells[column[5]]), number(cells[column[6]])));
            } catch (NumberFormatException e) {
                throw new UserError(csv + ", line " + (n + 1) + ": not a number (" + e.getMessage() + ")");
            }
        }
        return rows;
    }

    private static String line(EpochRow r) {
        return r.epoch() + "," + exact(r.trainLoss()) + "," + exact(r.trainAccuracy()) + "," + exact(r.devLoss()) + ","
                + exact(r.devAccuracy()) + "," + String.format(Locale.ROOT, "%.3f", r.seconds()) + ","
                + (r.learningRate() == (float) r.learningRate() ? Float.toString((float) r.learningRate())
                        : exact(r.learningRate()));
    }

    private static String exact(double v) {
        return Double.toString(v);   // shortest string that parses back to v; NaN and Infinity included
    }

    private static double number(String s) {
        return Double.parseDouble(s.strip());
    }
}
