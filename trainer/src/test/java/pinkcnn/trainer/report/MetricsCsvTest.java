package pinkcnn.trainer.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pinkcnn.trainer.UserError;

class MetricsCsvTest {

    @TempDir
    Path dir;

    static List<EpochRow> rows() {
        return List.of(
                new EpochRow(1, 1.3862943611198906, 0.31, 1.2345678901234567, 0.4134615384615385, 12.3456, 1e-3f),
                new EpochRow(2, 0.9, 0.625, Double.NaN, 0.5, 11.0, 5e-4),
                new EpochRow(3, 0.5, 0.8, 0.7, 2 / 3.0, 0.0004, 1e-5f));
    }

    @Test
    void appendedRowsReadBackExactly() throws Exception {
        Path csv = dir.resolve(MetricsCsv.FILE_NAME);
        for (EpochRow r : rows()) MetricsCsv.append(csv, r);
        List<String> lines = Files.readAllLines(csv);
        assertEquals(4, lines.size(), "header once, then one line per epoch");
        assertEquals("epoch,train_loss,train_accuracy,dev_loss,dev_accuracy,seconds,learning_rate", lines.get(0));
        assertTrue(lines.get(1).startsWith("1,1.3862943611198906,0.31,"), lines.get(1));
        assertTrue(lines.get(1).endsWith(",12.346,0.001"), "seconds to ms, the float 1e-3f as 0.001: " + lines.get(1));

        List<EpochRow> back = MetricsCsv.read(csv);
        assertEquals(3, back.size());
        for (int i = 0; i < 3; i++) {
            EpochRow want = rows().get(i), got = back.get(i);
            assertEquals(want.epoch(), got.epoch());
            assertEquals(want.trainLoss(), got.trainLoss(), 0);
            assertEquals(want.trainAccuracy(), got.trainAccuracy(), 0);
            assertEquals(want.devLoss(), got.devLoss(), 0);
            assertEquals(want.devAccuracy(), got.devAccuracy(), 0, "exact, so resumed runs compare the same");
            assertEquals(want.seconds(), got.seconds(), 5e-4);
            assertEquals((float) want.learningRate(), (float) got.learningRate(), 0);
        }
        assertTrue(Double.isNaN(back.get(1).devLoss()));
    }

    @Test
    void absentFileHasNoRowsAndWriteReplacesAtomically() throws Exception {
        Path csv = dir.resolve(MetricsCsv.FILE_NAME);
        assertEquals(List.of(), MetricsCsv.read(csv));
        MetricsCsv.write(csv, rows());
        assertEquals(3, MetricsCsv.read(csv).size());
        List<EpochRow> kept = MetricsCsv.truncateAfter(csv, 2);
        assertEquals(2, kept.size());
        assertEquals(List.of(1, 2), MetricsCsv.read(csv).stream().map(EpochRow::epoch).toList());
        MetricsCsv.append(csv, rows().get(2));
        assertEquals(3, MetricsCsv.read(csv).size());
        try (var files = Files.list(dir)) {
            assertEquals(List.of(csv), files.toList(), "no temporary files left behind");
        }
    }

    @Test
    void columnsAreFoundByName() throws Exception {
        Path csv = dir.resolve("m.csv");
        Files.writeString(csv, "seconds,epoch,note,learning_rate,dev_accuracy,dev_loss,train_accuracy,train_loss\n"
                + "2.5,7,x,0.01,0.5,0.6,0.7,0.8\n\n");
        List<EpochRow> rows = MetricsCsv.read(csv);
        assertEquals(List.of(new EpochRow(7, 0.8, 0.7, 0.6, 0.5, 2.5, 0.01)), rows);
    }

    @Test
    void badFilesAreNamedWithTheProblem() throws Exception {
        Path csv = dir.resolve("bad.csv");
        Files.writeString(csv, MetricsCsv.COLUMNS.stream().reduce((a, b) -> a + "," + b).orElseThrow()
                + "\n1,0.1,0.2,0.3,0.4,1.0,0.001\n2,0.1,oops,0.3,0.4,1.0,0.001\n");
        UserError e = assertThrows(UserError.class, () -> MetricsCsv.read(csv));
        assertTrue(e.getMessage().contains("bad.csv") && e.getMessage().contains("line 3"), e.getMessage());

        Files.writeString(csv, MetricsCsv.COLUMNS.stream().reduce((a, b) -> a + "," + b).orElseThrow() + "\n1,0.1,0.2\n");
        e = assertThrows(UserError.class, () -> MetricsCsv.read(csv));
        assertTrue(e.getMessage().contains("line 2") && e.getMessage().contains("3 values"), e.getMessage());

        Files.writeString(csv, "epoch,loss\n1,0.5\n");
        e = assertThrows(UserError.class, () -> MetricsCsv.read(csv));
        assertTrue(e.getMessage().contains("train_loss"), e.getMessage());
        e = assertThrows(UserError.class, () -> MetricsCsv.append(csv, rows().get(0)), "won't append to another format");
        assertTrue(e.getMessage().contains("bad.csv") && e.getMessage().contains("header"), e.getMessage());
    }

    @Test
    void epochRowDescribesItself() {
        assertEquals("epoch 1: train loss 1.3863 acc 31.0 % | dev loss 1.2346 acc 41.3 % | 12.3 s | lr 0.001",
                rows().get(0).describe());
    }
}
