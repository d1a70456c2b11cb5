package pinkcnn.trainer.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pinkcnn.engine.testing.Fuzzer;

/**
 * Mutated photos of every format prepare reads through {@link ImageDecoder} and, for a sample, {@code pinkcnn
 * prepare}: each decodes to a consistent image or is an {@link UnusableImageException} with a one-line reason.
 * Counts in docs/robustness.md.
 */
class PhotoFuzzTest {

    static final int DECODER_INPUTS = 600;
    static final int PREPARE_INPUTS = 40;

    @TempDir
    Path tmp;

    static List<byte[]> seeds() throws Exception {
        List<byte[]> seeds = new ArrayList<>();
        BufferedImage photo = TestImages.photo(64, 48, 5);
        seeds.add(TestImages.jpeg(photo, 0.9f, false));
        seeds.add(TestImages.jpeg(TestImages.photo(40, 36, 6), 0.8f, true));
        seeds.add(TestImages.withExifOrientation(TestImages.jpeg(TestImages.photo(48, 40, 7), 0.9f, false), 6));
        seeds.add(TestImages.cmykJpeg(32, 32, new int[] {255, 0, 0, 0}, new int[] {0, 0, 255, 40}));
        seeds.add(TestImages.jpeg(TestImages.solid(40, 40, Color.GRAY, BufferedImage.TYPE_BYTE_GRAY), 0.9f, false));
        seeds.add(TestImages.encode(TestImages.photo(37, 33, 8), "png"));
        BufferedImage alpha = new BufferedImage(33, 33, BufferedImage.TYPE_INT_ARGB);
        for (int y = 0; y < 33; y++) for (int x = 0; x < 33; x++) alpha.setRGB(x, y, (x * 7) << 24 | (y * 7) << 8 | 0xFF0000);
        seeds.add(TestImages.encode(alpha, "png"));
        seeds.add(TestImages.encode(TestImages.photo(34, 34, 9), "bmp"));
        seeds.add(gif());
        seeds.add(Base64.getDecoder().decode("UklGRiIAAABXRUJQVlA4IBYAAAAwAQCdASoBAAEADsD+JaQAA3AAAAAA"));   // lossy WebP
        seeds.add(Base64.getDecoder().decode("UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA=="));           // lossless WebP
        return seeds;
    }

    private static byte[] gif() throws Exception {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("gif").next();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ImageOutputStream ios = ImageIO.createImageOutputStream(out)) {
            writer.setOutput(ios);
            writer.prepareWriteSequence(null);
            writer.writeToSequence(new IIOImage(TestImages.photo(36, 34, 10), null, null), null);
            writer.writeToSequence(new IIOImage(TestImages.photo(36, 34, 11), null, null), null);
            writer.endWriteSequence();
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }

    @Test
    void photosDecodeOrAreRefusedInOneLine() throws Exception {
        Fuzzer.of("photos (ImageDecoder)", seeds(), 0x5EED_0005L)
                .refusals(UnusableImageException.class)
                .run(DECODER_INPUTS, m -> {
                    RgbImage image = ImageDecoder.decode(m.bytes());
                    if (image.width() < 1 || image.height() < 1 || image.rgb().length != 3 * image.width() * image.height()) {
                        throw new AssertionError(image.width() + "×" + image.height() + " with " + image.rgb().length + " bytes");
                    }
                });
    }

    @Test
    void prepareListsEveryMutantAsKeptOrSkippedWithItsReason() throws Exception {
        Path raw = tmp.resolve("raw"), out = tmp.resolve("out");
        TestImages.photoFolders(raw, new int[] {4, 4}, 64, 48);
        Fuzzer fuzzer = Fuzzer.of("photos (pinkcnn prepare)", seeds(), 0x5EED_0006L);
        List<String> mutants = new ArrayList<>();
        for (Fuzzer.Mutant m : fuzzer.mutants(PREPARE_INPUTS)) {
            String path = "class" + (m.index() % 2) + "/mutant" + m.index() + ".jpg";
            TestImages.write(raw.resolve(path), m.bytes());
            mutants.add(path);
        }
        Set<Path> before = files(raw);

        Cli run = assertTimeoutPreemptively(Duration.ofSeconds(120),
                () -> Cli.prepare("--raw", raw.toString(), "--out", out.toString(), "--size", "16", "--augment", "2"));
        assertEquals(0, run.exitCode(), run.err());
        Map<String, Manifest.Row> rows = Manifest.read(out.resolve(Manifest.FILE_NAME)).stream()
                .collect(Collectors.toMap(Manifest.Row::path, r -> r));
        int kept = 0;
        for (String path : mutants) {
            Manifest.Row row = rows.get(path);
            assertTrue(row != null, path + " is not in the manifest");
            assertTrue(Set.of("kept", "skipped", "duplicate", "near-duplicate").contains(row.status()), path + ": " + row.status());
            if (row.status().equals("skipped")) {
                assertTrue(!row.note().isBlank() && !row.note().contains("\n"), path + ": reason '" + row.note() + "'");
            } else {
                kept++;
            }
        }
        assertEquals(before, files(raw), "the photo folder is left as it was");
        assertEquals(Set.of("dev.h5", "manifest.csv", "test.h5", "train.h5"),
                files(out).stream().map(p -> p.getFileName().toString()).collect(Collectors.toSet()));
        try (Stream<Path> top = Files.list(tmp)) {
            assertEquals(Set.of("raw", "out"), top.map(p -> p.getFileName().toString()).collect(Collectors.toSet()));
        }
        Fuzzer.count("photos (pinkcnn prepare)", PREPARE_INPUTS, kept);
    }

    private static Set<Path> files(Path dir) throws Exception {
        try (Stream<Path> all = Files.walk(dir)) {
            return all.filter(Files::isRegularFile).collect(Collectors.toSet());
        }
    }
}
