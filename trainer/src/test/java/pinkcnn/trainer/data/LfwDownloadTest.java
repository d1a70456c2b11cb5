package pinkcnn.trainer.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import pinkcnn.trainer.OwnCache;
import pinkcnn.trainer.UserError;

/**
 * The demo's photo download (reliability issue: a fresh clone without photos) against a local server of a small
 * archive of lfw.tgz's layout: checksum, resuming, servers without Range support, and extracting only the four people.
 */
@ExtendWith(OwnCache.class)
class LfwDownloadTest {
    @TempDir
    Path tmp;

    private final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
    private final PrintStream log = new PrintStream(logBytes, true, StandardCharsets.UTF_8);
    private Path archive, part;

    @BeforeEach
    void emptyCache() throws IOException {
        archive = OwnCache.dir().resolve("datasets/lfw.tgz");
        part = archive.resolveSibling("lfw.tgz.part");
        Files.deleteIfExists(archive);
        Files.deleteIfExists(part);
    }

    private String log() {
        return logBytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void downloadsChecksAndExtractsOnlyTheFourPeople() throws Exception {
        Path dest = tmp.resolve("project/datasets/lfw-demo");
        try (LfwServer server = LfwServer.start()) {
            assertEquals(dest, LfwDemo.fetch(List.of(server.uri()), server.sha256, dest, log, Progress.SILENT));
            assertEquals(List.of(""), server.ranges, "one request, from the start");
            assertExtracted(server, dest);
        }
        assertFalse(Files.exists(archive), "the archive is deleted once the photos are out");
        assertFalse(Files.exists(part));
        try (Stream<Path> left = Files.list(dest.getParent())) {
            assertEquals(List.of(dest), left.toList(), "no temporary folder left beside it");
        }
        assertTrue(LfwDemo.present(dest));
        assertTrue(log().contains("extracted Ariel_Sharon 3 Gerhard_Schroeder 3 Hugo_Chavez 3 Junichiro_Koizumi 3"), log());
    }

    @Test
    void aDroppedConnectionIsResumedWithARangeRequest() throws Exception {
        try (LfwServer server = LfwServer.start().dropping(1, 100_000)) {
            Path got = new Download(log, Progress.SILENT).retryDelayMillis(10).fetch(List.of(server.uri()), archive, server.sha256);
            assertArrayEquals(server.archive, Files.readAllBytes(got));
            assertEquals(2, server.ranges.size(), server.ranges.toString());
            assertEquals("", server.ranges.get(0));
            long from = Long.parseLong(server.ranges.get(1).replaceAll("bytes=(\\d+)-", "$1"));
            assertTrue(from > 0 && from <= 100_000, server.ranges.toString());
            assertTrue(log().contains("resuming at"), log());
        }
        assertFalse(Files.exists(part));
    }

    @Test
    void aPartLeftByAnEarlierRunIsResumed() throws Exception {
        try (LfwServer server = LfwServer.start()) {
            Files.createDirectories(part.getParent());
            Files.write(part, java.util.Arrays.copyOf(server.archive, 5000));
            Path dest = tmp.resolve("lfw-demo");
            LfwDemo.fetch(List.of(server.uri()), server.sha256, dest, log, Progress.SILENT);
            assertEquals(List.of("bytes=5000-"), server.ranges);
            assertExtracted(server, dest);
        }
    }

    @Test
    void aServerWithoutRangeSupportIsDownloadedAgainFromTheStart() throws Exception {
        try (LfwServer server = LfwServer.start().withoutRanges()) {
            Files.createDirectories(part.getParent());
            Files.write(part, new byte[5000]); // not even the right bytes: nothing of it may remain
            Path got = new Download(log, Progress.SILENT).fetch(List.of(server.uri()), archive, server.sha256);
            assertArrayEquals(server.archive, Files.readAllBytes(got));
            assertEquals(List.of("bytes=5000-"), server.ranges, "asked to resume, answered with the whole file");
            assertTrue(log().contains("cannot resume downloads"), log());
        }
    }

    @Test
    void aDroppedConnectionToAServerWithoutRangesStartsAgain() throws Exception {
        try (LfwServer server = LfwServer.start().withoutRanges().dropping(2, 50_000)) {
            Path got = new Download(log, Progress.SILENT).retryDelayMillis(10).fetch(List.of(server.uri()), archive, server.sha256);
            assertArrayEquals(server.archive, Files.readAllBytes(got));
            assertEquals(3, server.ranges.size(), server.ranges.toString());
        }
    }

    @Test
    void aWrongChecksumIsRefusedAndNothingIsExtracted() throws Exception {
        Path dest = tmp.resolve("lfw-demo");
        try (LfwServer server = LfwServer.start()) {
            String wrong = "0".repeat(64);
            UserError e = assertThrows(UserError.class,
                    () -> LfwDemo.fetch(List.of(server.uri()), wrong, dest, log, Progress.SILENT));
            assertEquals(1, e.getMessage().lines().count(), e.getMessage());
            assertTrue(e.getMessage().contains("its SHA-256 is " + server.sha256 + ", not the expected " + wrong), e.getMessage());
        }
        assertFalse(Files.exists(dest));
        assertFalse(Files.exists(part), "a wrong file is not kept for resuming");
        assertFalse(Files.exists(archive));
        try (Stream<Path> left = Files.list(tmp)) {
            assertEquals(List.of(), left.toList());
        }
    }

    @Test
    void theMirrorIsTriedWhenTheFirstSourceFails() throws Exception {
        try (LfwServer server = LfwServer.start()) {
            Path got = new Download(log, Progress.SILENT).fetch(List.of(server.missing(), server.uri()), archive, server.sha256);
            assertArrayEquals(server.archive, Files.readAllBytes(got));
            assertTrue(log().contains("missing.tgz: HTTP 404"), log());
            assertTrue(log().contains("trying " + server.uri()), log());
        }
    }

    @Test
    void noSourceWorkingIsOneLineNamingEach() throws Exception {
        try (LfwServer server = LfwServer.start()) {
            UserError e = assertThrows(UserError.class, () -> new Download(log, Progress.SILENT).retryDelayMillis(10)
                    .fetch(List.of(server.missing(), java.net.URI.create("http://127.0.0.1:1/lfw.tgz")), archive, server.sha256));
            assertEquals(1, e.getMessage().lines().count(), e.getMessage());
            assertTrue(e.getMessage().startsWith("could not download lfw.tgz from any source: " + server.missing() + ": HTTP 404"),
                    e.getMessage());
            assertTrue(e.getMessage().contains("127.0.0.1:1/lfw.tgz: cannot connect"), e.getMessage());
        }
    }

    @Test
    void anArchiveAlreadyInTheCacheIsUsedWithoutTheNetwork() throws Exception {
        try (LfwServer server = LfwServer.start()) {
            Files.createDirectories(archive.getParent());
            Files.write(archive, server.archive);
            Path dest = tmp.resolve("lfw-demo");
            LfwDemo.fetch(List.of(server.uri()), server.sha256, dest, log, Progress.SILENT);
            assertEquals(List.of(), server.ranges);
            assertExtracted(server, dest);
        }
    }

    @Test
    void aFolderWithOtherFilesIsNeverReplaced() throws Exception {
        Path dest = tmp.resolve("lfw-demo");
        Files.createDirectories(dest.resolve("Ariel_Sharon"));
        Files.writeString(dest.resolve("Ariel_Sharon/mine.jpg"), "x");
        try (LfwServer server = LfwServer.start()) {
            UserError e = assertThrows(UserError.class,
                    () -> LfwDemo.fetch(List.of(server.uri()), server.sha256, dest, log, Progress.SILENT));
            assertTrue(e.getMessage().contains("exists but has no photos of Gerhard_Schroeder"), e.getMessage());
            assertEquals(List.of(), server.ranges, "refused before downloading");
        }
        assertEquals("x", Files.readString(dest.resolve("Ariel_Sharon/mine.jpg")));
    }

    @Test
    void anArchiveWithoutOneOfThePeopleIsRefused() throws Exception {
        Path tgz = Files.write(tmp.resolve("three.tgz"), new pinkcnn.trainer.convert.TarWriter()
                .file("lfw/Ariel_Sharon/Ariel_Sharon_0001.jpg", new byte[10])
                .file("lfw/Gerhard_Schroeder/Gerhard_Schroeder_0001.jpg", new byte[10])
                .file("lfw/Hugo_Chavez/Hugo_Chavez_0001.jpg", new byte[10]).tgz());
        Path dest = tmp.resolve("lfw-demo");
        IOException e = assertThrows(IOException.class, () -> LfwDemo.extract(tgz, dest, "0".repeat(64)));
        assertTrue(e.getMessage().contains("holds no photos of Junichiro_Koizumi"), e.getMessage());
        try (Stream<Path> left = Files.list(tmp)) {
            assertEquals(List.of(tgz), left.toList(), "no folder, whole or partial");
        }
    }

    @Test
    void bytesOffATerminalArePlainLinesInMegabytes() throws Exception {
        String old = System.setProperty("pinkcnn.stderr.terminal", "false");
        PrintStream oldErr = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try (LfwServer server = LfwServer.start()) {
            new Download(log, Progress.BYTES).fetch(List.of(server.uri()), archive, server.sha256);
        } finally {
            System.setErr(oldErr);
            if (old == null) System.clearProperty("pinkcnn.stderr.terminal");
            else System.setProperty("pinkcnn.stderr.terminal", old);
        }
        String text = err.toString(StandardCharsets.UTF_8);
        assertTrue(text.matches("lfw\\.tgz: 0\\.3/0\\.3 MB \\(100 %\\) in [0-9.]+ s(, [0-9.]+ MB/s)?\\R"), text);
    }

    /** dest holds exactly the four people's photos, byte for byte, and SOURCES.md. */
    private static void assertExtracted(LfwServer server, Path dest) throws IOException {
        for (Map.Entry<String, byte[]> photo : server.photos.entrySet()) {
            assertArrayEquals(photo.getValue(), Files.readAllBytes(dest.resolve(photo.getKey())), photo.getKey());
        }
        try (Stream<Path> all = Files.walk(dest)) {
            List<String> files = all.filter(Files::isRegularFile).map(p -> dest.relativize(p).toString().replace('\\', '/'))
                    .sorted().toList();
            List<String> expected = Stream.concat(server.photos.keySet().stream(), Stream.of("SOURCES.md")).sorted().toList();
            assertEquals(expected, files, "no other person, no padding, nothing from outside the folders");
        }
        assertFalse(Files.exists(dest.getParent().resolve("escape.jpg")));
        assertTrue(Files.readString(dest.resolve("SOURCES.md")).contains(server.sha256));
    }
}
