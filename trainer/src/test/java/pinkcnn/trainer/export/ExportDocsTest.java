package pinkcnn.trainer.export;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** docs/export.md shows docs/keras_rebuild.py — the script the tests check — in full, so the two cannot drift apart. */
class ExportDocsTest {
    @Test
    void exportDocShowsTheTestedScript() throws IOException {
        Path root = KerasRebuildCheck.repoRoot();
        String script = Files.readString(root.resolve("docs/keras_rebuild.py"));
        String doc = Files.readString(root.resolve("docs/export.md"));
        assertTrue(doc.contains("```python\n" + script + "```"), "docs/export.md must contain docs/keras_rebuild.py verbatim");
        assertTrue(Files.readString(root.resolve("README.md")).contains("docs/export.md"), "the README links the export guide");
    }
}
