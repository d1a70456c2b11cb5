package pinkcnn.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static pinkcnn.trainer.MainCli.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import pinkcnn.trainer.data.LfwDemo;
import pinkcnn.trainer.data.LfwServer;

/**
 * Reliability issue, "on a fresh clone without photos, demo explains where to get photos and stops": {@code demo}
 * downloads the four LFW people's photos when asked (once, on a terminal) or told ({@code --download}), here from a
 * local server of an archive of lfw.tgz's layout, in a project folder of its own.
 */
@ExtendWith(OwnCache.class)
class DemoDownloadTest {
    @TempDir
    Path tmp;

    private Path project;
    private String oldHome;
    private DemoCommand.Prompt oldPrompt;
    private final List<String> questions = new ArrayList<>();

    @BeforeEach
    void ownProject() throws IOException {
        project = Files.createDirectories(tmp.resolve("project"));
        oldHome = System.setProperty("pinkcnn.home", project.toString());
        oldPrompt = DemoCommand.prompt;
        Files.deleteIfExists(OwnCache.dir().resolve("datasets/lfw.tgz.part"));
    }

    @AfterEach
    void restore() {
        if (oldHome == null) System.clearProperty("pinkcnn.home");
        else System.setProperty("pinkcnn.home", oldHome);
        System.clearProperty("pinkcnn.lfw.url");
        DemoCommand.prompt = oldPrompt;
    }

    /** The lines of stderr that are the CLI's messages (the others are the download's progress). */
    private static List<String> messages(MainCli.Result r) {
        return r.err().lines().filter(l -> l.startsWith("pinkcnn ")).toList();
    }

    private DemoCommand.Prompt answering(String answer) {
        return question -> {
            questions.add(question);
            return answer;
        };
    }

    @Test
    void downloadOnlyFetchesThePhotosAndLaterRunsFindThemWithoutAsking() throws Exception {
        Path lfw = project.resolve("datasets/lfw-demo");
        try (LfwServer server = LfwServer.start()) {
            MainCli.Result r = cli("demo", "--download-only", "--download-from", server.uri().toString(), "--sha256", server.sha256);
            assertEquals(0, r.rc(), r.out() + r.err());
            assertTrue(r.out().contains("0/3 get the photos of Ariel_Sharon, Gerhard_Schroeder, Hugo_Chavez, Junichiro_Koizumi"), r.out());
            assertTrue(r.out().contains("the photos are in " + lfw + "; stopping there (--download-only)"), r.out());
            assertTrue(r.err().contains("lfw.tgz: 0.3/0.3 MB (100 %)"), "progress: " + r.err());
            assertTrue(LfwDemo.present(lfw));
            assertFalse(Files.exists(lfw.resolve("George_W_Bush")));

            DemoCommand.prompt = answering("y");
            MainCli.Result again = cli("demo", "--download-only");
            assertEquals(0, again.rc(), again.out() + again.err());
            assertEquals(1, server.ranges.size(), "nothing downloaded again");
            assertEquals(lfw, DemoCommand.photos(project), "the demo's photos from now on");
            assertEquals(List.of(), questions);
        }
    }

    @Test
    void aWrongChecksumIsOneLineAndNothingIsExtracted() throws Exception {
        try (LfwServer server = LfwServer.start()) {
            MainCli.Result r = cli("demo", "--download", "--download-from", server.uri().toString(), "--sha256", "ab".repeat(32));
            assertEquals(2, r.rc(), r.out() + r.err());
            List<String> lines = messages(r);
            assertEquals(1, lines.size(), r.err());
            assertTrue(lines.get(0).startsWith("pinkcnn demo: could not download lfw.tgz from " + server.uri() + ": its SHA-256 is "
                    + server.sha256 + ", not the expected " + "ab".repeat(32)), lines.get(0));
            assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
        }
        assertFalse(Files.exists(project.resolve("datasets")), "nothing extracted");
    }

    @Test
    void withoutPhotosOffATerminalItSaysHowToGetThemAndStops() throws Exception {
        try (LfwServer server = LfwServer.start()) {
            System.setProperty("pinkcnn.lfw.url", server.uri().toString());
            DemoCommand.prompt = answering(null); // System.console() is null in a pipe: nobody to ask
            MainCli.Result r = cli("demo");
            assertEquals(2, r.rc(), r.out() + r.err());
            assertTrue(r.out().contains("no photos found"), r.out());
            assertTrue(r.out().contains("./pinkcnn demo --download"), r.out());
            assertEquals(List.of(), server.ranges);
        }
    }

    @Test
    void onATerminalItAsksOnceAndDownloadsOnlyOnYes() throws Exception {
        try (LfwServer server = LfwServer.start()) {
            System.setProperty("pinkcnn.lfw.url", server.uri().toString());
            DemoCommand.prompt = answering("n");
            MainCli.Result no = cli("demo");
            assertEquals(2, no.rc(), no.out() + no.err());
            assertTrue(no.out().contains("./pinkcnn demo --download"), no.out());
            assertEquals(List.of(), server.ranges, "no download on no");
            assertEquals(1, questions.size());
            String q = questions.get(0);
            assertTrue(q.contains("lfw.tgz, " + LfwDemo.ARCHIVE_SIZE + ", from " + server.uri()) && q.endsWith("[y/N] "), q);

            // Yes downloads; the checksum here is wrong on purpose, so that the demo stops there, before the weights.
            questions.clear();
            DemoCommand.prompt = answering(" Y\n");
            MainCli.Result yes = cli("demo", "--sha256", "ab".repeat(32));
            assertEquals(1, questions.size());
            assertEquals(List.of(""), server.ranges, "downloaded once");
            assertEquals(2, yes.rc(), yes.out() + yes.err());
            assertTrue(messages(yes).get(0).contains("its SHA-256 is " + server.sha256), yes.err());
        }
    }

    @Test
    void badDownloadOptionsAreOneLineEach() {
        for (String[] args : List.of(
                new String[] {"demo", "--download-from", "ftp://example.org/lfw.tgz"},
                new String[] {"demo", "--download-from", "lfw.tgz"},
                new String[] {"demo", "--download", "--sha256", "abc"},
                new String[] {"demo", "--download", "--raw", tmp.toString()})) {
            MainCli.Result r = cli(args);
            assertEquals(2, r.rc(), String.join(" ", args) + ": " + r.out() + r.err());
            assertEquals(1, r.err().lines().count(), r.err());
            assertTrue(r.err().startsWith("pinkcnn demo: --"), r.err());
        }
        assertFalse(Files.exists(project.resolve("datasets")));
    }

    @Test
    void aFolderInTheWayIsNamedBeforeAnythingIsDownloaded() throws Exception {
        Path lfw = Files.createDirectories(project.resolve("datasets/lfw-demo/Hugo_Chavez"));
        Files.writeString(lfw.resolve("notes.txt"), "mine");
        try (LfwServer server = LfwServer.start()) {
            MainCli.Result r = cli("demo", "--download", "--download-from", server.uri().toString());
            assertEquals(2, r.rc(), r.out() + r.err());
            assertTrue(r.err().contains("lfw-demo exists but has no photos of Ariel_Sharon; move it away"), r.err());
            assertEquals(List.of(), server.ranges);
        }
    }
}
