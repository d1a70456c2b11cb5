package pinkcnn.trainer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pinkcnn.engine.io.Npy;
import pinkcnn.engine.reference.SharedData;

/** {@code pinkcnn inspect} against the TF.js outputs in ../shared/reference/random_lcg, and its layer list. */
class InspectCommandTest {
    @TempDir
    Path tmp;

    private static String run(String... args) {
        PrintStream old = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            assertEquals(0, Main.commandLine().execute(args));
        } finally {
            System.setOut(old);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void layerActivationMatchesTfjsAndDrawsFeatureMaps() throws IOException {
        Path ref = SharedData.dir().resolve("reference/random_lcg");
        Path weights = SharedData.dir().resolve("weights/mobilenet_v2_nsfwjs_no_top.h5");
        assumeTrue(Files.isDirectory(ref) && Files.isRegularFile(weights), "../shared reference and weights are needed");
        Path input = tmp.resolve("input.npy"), out = tmp.resolve("act.npy"), png = tmp.resolve("maps.png");
        Npy.write(input, new int[] {1, 224, 224, 3}, f32(ref.resolve("input.f32")));
        String text = run("inspect", "--weights", weights.toString(), "--layer", "block_1_depthwise_relu", "--input",
                input.toString(), "--out", out.toString(), "--png", png.toString(), "--device", "cpu");
        assertTrue(text.contains("block_1_depthwise_relu [1, 56, 56, 96]"), text);
        Npy.Array a = Npy.read(out);
        assertArrayEquals(new int[] {1, 56, 56, 96}, a.shape());
        float[] expected = f32(ref.resolve("block_1_depthwise_relu.f32"));
        double maxDiff = 0;
        for (int i = 0; i < expected.length; i++) maxDiff = Math.max(maxDiff, Math.abs(expected[i] - a.data()[i]));
        assertTrue(maxDiff <= 6e-4, "max |diff| " + maxDiff + " (ReLU6 output: tolerance 1e-4·6)");
        assertTrue(ImageIO.read(png.toFile()).getWidth() > 200);
    }

    @Test
    void listsEveryLayerLikeAKerasSummary() {
        Path weights = SharedData.dir().resolve("weights/mobilenet_v2_nsfwjs_no_top.h5");
        assumeTrue(Files.isRegularFile(weights), "../shared weights are needed");
        String text = run("inspect", "--weights", weights.toString(), "--list", "--device", "cpu");
        assertTrue(text.contains("block_16_project_BN"), text);
        assertTrue(text.contains("[None, 7, 7, 1280]"), text);
        assertTrue(text.contains("total parameters: 2,257,984"), text);
    }

    private static float[] f32(Path p) throws IOException {
        byte[] b = Files.readAllBytes(p);
        float[] f = new float[b.length / 4];
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(f);
        return f;
    }
}
