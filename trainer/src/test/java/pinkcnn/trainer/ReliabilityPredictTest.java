package pinkcnn.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static pinkcnn.trainer.MainCli.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Item 7 of the reliability issue, through the CLI: {@code predict} on any number of photos, in constant memory,
 * printing each result as its batch is done. A small run (frozen backbone, 96×96, batch 8) is trained first.
 */
@ExtendWith(OwnCache.class)
class ReliabilityPredictTest {
    @TempDir
    static Path tmp;
    static Path run;
    static List<Path> photos;

    @BeforeAll
    static void trainSmallRun() throws IOException {
        SmallDemoData demo = SmallDemoData.prepare(tmp);
        run = tmp.resolve("run");
        MainCli.Result r = cli("train", "--data", demo.data().toString(), "--weights", demo.weights().toString(), "--out",
                run.toString(), "--batch", "8", "--quiet", "--device", "cpu", "--epochs", "1", "--fine-tune-from", "none");
        assertEquals(0, r.rc(), r.err());
        try (Stream<Path> s = Files.walk(demo.raw())) {
            photos = s.filter(p -> p.toString().endsWith(".jpg")).sorted().toList();
        }
    }

    /**
     * 1000 photos (links to the 40 demo photos) in a 96 MiB heap: predict held every image and its features at once
     * (here more than 96 MiB; 1.7 GB for 1,000 photos at 224², an array overflow past 14,267) and printed nothing
     * until the end. Now a batch of 8 is all it holds, and every result is printed, in order, as its batch is done:
     * the last photo is created only once the first result is out, and is still found.
     */
    @Test
    void manyPhotosStreamInASmallHeap() throws Exception {
        Path many = Files.createDirectories(tmp.resolve("many"));
        List<String> args = new ArrayList<>(List.of("predict", "--run", run.toString(), "--device", "cpu", "--top", "1"));
        List<Path> inputs = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            inputs.add(Files.createSymbolicLink(many.resolve(String.format("p%04d.jpg", i)), photos.get(i % photos.size())));
        }
        Path late = many.resolve("late.jpg");   // not there yet
        inputs.add(late);
        inputs.forEach(p -> args.add(p.toString()));
        Path err = tmp.resolve("predict-stderr.txt");
        Process p = ForkedCli.command("-Xmx96m", args.toArray(String[]::new)).redirectError(err.toFile()).start();
        List<String> results = new ArrayList<>();
        try {
            assertTimeoutPreemptively(Duration.ofMinutes(5), () -> {
                BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                for (String line; (line = out.readLine()) != null; ) {
                    if (line.startsWith(" ")) continue;   // a top class under its photo
                    if (results.isEmpty()) Files.copy(photos.get(0), late);
                    results.add(line);
                }
                assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            });
        } finally {
            p.destroyForcibly();
        }
        String stderr = ForkedCli.withoutIncubatorWarning(Files.readString(err));
        assertEquals(0, p.exitValue(), stderr);
        assertEquals(inputs.size(), results.size(), stderr);
        for (int i = 0; i < inputs.size(); i++) {
            assertTrue(results.get(i).startsWith(inputs.get(i) + ": "), "in order: " + results.get(i));
        }
        assertEquals("", stderr, "nothing skipped: the last photo was read after the first results were out");
    }

    /**
     * --json is one document whatever the count, its array written as results come: one object per photo in the
     * order given, a skipped photo's error in its place; a photo's result does not depend on its batch.
     */
    @Test
    void jsonListsEveryPhotoInOrderWithErrorsInPlace() throws IOException {
        List<String> args = new ArrayList<>(List.of("predict", "--run", run.toString(), "--device", "cpu", "--json"));
        List<Path> inputs = new ArrayList<>(photos.subList(0, 20));
        Path broken = Files.writeString(tmp.resolve("broken.jpg"), "not a photo");
        inputs.add(9, broken);
        inputs.add(tmp.resolve("missing.jpg"));
        inputs.forEach(p -> args.add(p.toString()));
        MainCli.Result r = cli(args.toArray(String[]::new));
        assertEquals(1, r.rc(), r.err());
        JsonNode predictions = new ObjectMapper().readTree(r.out()).get("predictions");
        assertEquals(inputs.size(), predictions.size());
        for (int i = 0; i < inputs.size(); i++) {
            JsonNode p = predictions.get(i);
            assertEquals(inputs.get(i).toString(), p.get("image").asText(), "in order");
            boolean bad = i == 9 || i == inputs.size() - 1;
            assertEquals(bad, p.has("error"), p.toString());
            assertEquals(!bad, p.has("class"), p.toString());
        }
        assertTrue(predictions.get(9).get("error").asText().startsWith("not an image"), predictions.get(9).toString());

        Path alone = photos.get(12);   // the 14th input: in the second batch of 8 above
        JsonNode single = new ObjectMapper().readTree(cli("predict", "--run", run.toString(), "--device", "cpu", "--json",
                alone.toString()).out()).get("predictions").get(0);
        JsonNode inBatch = predictions.get(13);
        assertEquals(alone.toString(), inBatch.get("image").asText());
        assertEquals(single.get("class"), inBatch.get("class"));
        for (int k = 0; k < single.get("top").size(); k++) {
            assertEquals(single.get("top").get(k).get("probability").asDouble(),
                    inBatch.get("top").get(k).get("probability").asDouble(), 1e-5);
        }
    }
}
