package pinkcnn.trainer.convert;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TarGzTest {

    @TempDir
    Path tmp;

    @Test
    void readsUstarAndPaxLongNamesAsTarWritesThem() throws Exception {
        String longDir = "package/" + "a_rather_long_folder_name_".repeat(5) + "/models";
        Path src = tmp.resolve("src");
        Files.createDirectories(src.resolve(longDir));
        Files.writeString(src.resolve("package/package.json"), "{\"name\": \"x\"}");
        byte[] shard = new byte[70_000];
        for (int i = 0; i < shard.length; i++) shard[i] = (byte) (i * 31);
        Files.write(src.resolve(longDir + "/group1-shard1of1.bin"), shard);
        for (String format : List.of("pax", "gnu", "ustar")) {
            Path tgz = tmp.resolve(format + ".tgz");
            boolean ok = tar(src, tgz, format);
            if (format.equals("ustar") && !ok) continue; // ustar cannot hold names this long without its prefix field
            assumeTrue(ok, "system tar unavailable");
            List<String> names = TarGz.list(tgz);
            assertTrue(names.contains(longDir + "/group1-shard1of1.bin"), format + ": " + names);
            Map<String, byte[]> read = TarGz.read(tgz, n -> n.endsWith(".bin") || n.endsWith(".json"));
            assertArrayEquals(shard, read.get(longDir + "/group1-shard1of1.bin"), format);
            assertEquals("{\"name\": \"x\"}", new String(read.get("package/package.json"), StandardCharsets.UTF_8));
        }
    }

    @Test
    void eachStreamsEntriesAndSkipsWhatAVisitorLeavesUnread() throws IOException {
        byte[] big = new byte[100_000];
        for (int i = 0; i < big.length; i++) big[i] = (byte) (i * 7);
        Path tgz = Files.write(tmp.resolve("two.tgz"), new TarWriter().file("a/big.bin", big)
                .file("a/skipped.txt", new byte[3]).file("a/small.txt", "hello".getBytes(StandardCharsets.UTF_8)).tgz());
        Map<String, byte[]> got = new java.util.LinkedHashMap<>();
        TarGz.each(tmp.resolve("two.tgz"), 1 << 20, "too big", new TarGz.Visitor() {
            @Override
            public boolean wants(String name, long size) {
                return !name.endsWith("skipped.txt");
            }

            @Override
            public void accept(String name, long size, java.io.InputStream content) throws IOException {
                got.put(name, content.readNBytes(name.endsWith(".bin") ? 10 : Integer.MAX_VALUE)); // the rest: skipped
                if (!name.endsWith(".bin")) assertEquals(-1, content.read(), "the entry ends with its file");
            }
        });
        assertEquals(List.of("a/big.bin", "a/small.txt"), List.copyOf(got.keySet()));
        assertArrayEquals(java.util.Arrays.copyOf(big, 10), got.get("a/big.bin"));
        assertEquals("hello", new String(got.get("a/small.txt"), StandardCharsets.UTF_8));
        IOException e = assertThrows(IOException.class, () -> TarGz.each(tgz, 50_000, "too big", new TarGz.Visitor() {
            @Override
            public boolean wants(String name, long size) {
                return false;
            }

            @Override
            public void accept(String name, long size, java.io.InputStream content) {
            }
        }));
        assertTrue(e.getMessage().endsWith("; too big"), e.getMessage());
    }

    @Test
    void refusesWhatIsNotATarball() throws IOException {
        Path text = tmp.resolve("x.tgz");
        Files.writeString(text, "hello");
        IOException e = assertThrows(IOException.class, () -> TarGz.list(text));
        assertTrue(e.getMessage().contains("not a gzip file"), e.getMessage());
    }

    private static boolean tar(Path src, Path tgz, String format) throws IOException, InterruptedException {
        try {
            Process p = new ProcessBuilder("tar", "--format=" + format, "-czf", tgz.toString(), "-C", src.toString(),
                    "package").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        }
    }
}
