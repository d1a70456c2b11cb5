package pinkcnn.trainer.report;

import java.util.ArrayList;
import java.util.List;

/** A small table of strings, shown as a Markdown table or as aligned plain text. First column left, others right. */
final class TextTable {

    private final List<String[]> rows = new ArrayList<>();
    private boolean allLeft;

    TextTable(String... header) {
        rows.add(header);
    }

    /** Aligns every column left (for text rather than figures). */
    TextTable alignLeft() {
        allLeft = true;
        return this;
    }

    TextTable row(String... cells) {
        if (cells.length != rows.get(0).length) {
            throw new IllegalArgumentException(cells.length + " cells for " + rows.get(0).length + " columns");
        }
        rows.add(cells);
        return this;
    }

    String markdown() {
        StringBuilder out = new StringBuilder();
        int columns = rows.get(0).length;
        for (int r = 0; r < rows.size(); r++) {
            out.append('|');
            for (String cell : rows.get(r)) out.append(' ').append(escape(cell)).append(" |");
            out.append('\n');
            if (r == 0) {
                out.append("|:---|");
                for (int c = 1; c < columns; c++) out.append(allLeft ? ":---|" : "---:|");
                out.append('\n');
            }
        }
        return out.toString();
    }

    /** Columns padded to their widest cell, two spaces apart, each line indented by {@code indent}. */
    String plain(String indent) {
        int columns = rows.get(0).length;
        int[] width = new int[columns];
        for (String[] row : rows) {
            for (int c = 0; c < columns; c++) width[c] = Math.max(width[c], length(row[c]));
        }
        StringBuilder out = new StringBuilder();
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder(indent);
            for (int c = 0; c < columns; c++) {
                String pad = " ".repeat(width[c] - length(row[c]));
                if (c > 0) line.append("  ");
                line.append(c == 0 || allLeft ? row[c] + pad : pad + row[c]);
            }
            out.append(line.toString().stripTrailing()).append('\n');
        }
        return out.toString();
    }

    private static int length(String s) {
        return s.codePointCount(0, s.length());
    }

    private static String escape(String cell) {
        return cell.replace("|", "\\|").replace("\n", " ");
    }
}
