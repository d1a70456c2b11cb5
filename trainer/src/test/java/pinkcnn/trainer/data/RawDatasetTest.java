package pinkcnn.trainer.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pinkcnn.trainer.UserError;

class RawDatasetTest {

    @TempDir
    Path root;

    private void touch(String path) {
        TestImages.write(root.resolve(path), new byte[] {1});
    }

    @Test
    void classesTxtNamesTheFoldersInLabelOrder() throws Exception {
        // The original project's layout: y0_raw … y3_raw with names in classes.txt; other folders are not classes.
        Files.writeString(root.resolve("classes.txt"), "# folder name\ny1_raw Jennie\ny0_raw Jisoo\n\ny2_raw Rosé\n");
        touch("y0_raw/a.jpg");
        touch("y1_raw/b.jpg");
        touch("y2_raw/c.jpg");
        touch("prepared/train.h5");
        RawDataset raw = RawDataset.scan(root, root.resolve("prepared"));
        assertEquals(List.of("Jennie", "Jisoo", "Rosé"), raw.classNames());
        assertEquals(List.of("y1_raw/b.jpg", "y0_raw/a.jpg", "y2_raw/c.jpg"),
                raw.files().stream().map(RawDataset.RawFile::relativePath).toList());
        assertEquals(List.of(0, 1, 2), raw.files().stream().map(RawDataset.RawFile::label).toList());
    }

    @Test
    void withoutClassesTxtEveryFolderIsAClassInAlphabeticalOrder() {
        touch("zebra/1.jpg");
        touch("ant/2.jpg");
        touch("ant/nested/deeper/3.jpg");
        touch("ant/.hidden.jpg");
        touch("ant/.cache/4.jpg");
        touch(".git/5.jpg");
        touch("out/6.jpg");
        touch("README.md");
        RawDataset raw = RawDataset.scan(root, root.resolve("out"));
        assertEquals(List.of("ant", "zebra"), raw.classNames());
        assertEquals(List.of("ant/2.jpg", "ant/nested/deeper/3.jpg", "zebra/1.jpg"),
                raw.files().stream().map(RawDataset.RawFile::relativePath).toList());
        assertEquals(2, raw.hiddenIgnored());
    }

    @Test
    void problemsWithTheRootAreUserErrors() throws Exception {
        assertTrue(assertThrows(UserError.class, () -> RawDataset.scan(root.resolve("absent"), null)).getMessage().contains("does not exist"));
        assertTrue(assertThrows(UserError.class, () -> RawDataset.scan(root, null)).getMessage().contains("no class folders"));
        Files.writeString(root.resolve("classes.txt"), "y9_raw Nobody\n");
        assertTrue(assertThrows(UserError.class, () -> RawDataset.scan(root, null)).getMessage().contains("y9_raw"));
    }
}
