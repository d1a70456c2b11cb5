package pinkcnn.trainer.face;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import pinkcnn.trainer.data.RgbImage;

/** The plain-Java parts of the detector: input resizing, box decoding and non-maximum suppression. */
class FaceDetectorTest {

    @Test
    void suppressesOverlapsGreedilyAsFaceApiDoes() {
        float[] boxes = {
                0, 0, 1, 1,          // a: 0.9
                0, 0, 1, 0.6f,       // b: IoU 0.6 with a, 0.8 → suppressed
                0, 0.5f, 1, 1.6f,    // c: IoU 0.5/1.6 ≈ 0.31 with a, 0.7 → kept
                5, 5, 6, 6,          // d: 0.4, under the threshold
                2, 2, 3, 3};         // e: 0.9 too (ties keep anchor order)
        float[] scores = {0.9f, 0.8f, 0.7f, 0.4f, 0.9f};
        assertEquals(List.of(0, 4, 2), FaceDetector.nonMaxSuppression(boxes, scores, 100, 0.5, 0.5));
        assertEquals(List.of(0, 4), FaceDetector.nonMaxSuppression(boxes, scores, 2, 0.5, 0.5));
        assertEquals(0.6, FaceDetector.iou(boxes, 0, 1), 1e-6);
    }

    @Test
    void decodesOffsetsAgainstTheAnchor() {
        float[] anchors = {0.2f, 0.4f, 0.6f, 0.6f};    // centre (0.4, 0.5), size 0.4 × 0.2
        float[] t = {10, -5, 5 * (float) Math.log(2), 0}; // centre moves by +1 height and −0.5 width; height doubles
        float[] out = new float[4];
        FaceDetector.decode(anchors, 0, t, out);
        assertEquals(0.8 - 0.4, out[0], 1e-6);
        assertEquals(0.4 - 0.1, out[1], 1e-6);
        assertEquals(0.8 + 0.4, out[2], 1e-6);
        assertEquals(0.4 + 0.1, out[3], 1e-6);
    }

    @Test
    void padsToASquareAndResizesAsTensorFlowDoes() {
        // 3 wide, 2 high: padded with a black row at the bottom to 3×3, then resized to 512 without half-pixel centres
        byte[] rgb = new byte[3 * 3 * 2];
        for (int i = 0; i < rgb.length; i++) rgb[i] = (byte) (20 * i);
        float[] x = FaceDetector.networkInput(new RgbImage(3, 2, rgb));
        assertEquals(512 * 512 * 3, x.length);
        assertEquals(0 / 127.5 - 1, x[0], 1e-7);                   // output (0, 0) = source (0, 0)
        // output column 1 reads source column 3/512 = 0.00586 between columns 0 and 1 (values 0 and 60, red)
        assertEquals((float) ((float) (60 * 3 / 512.0) / 127.5) - 1, x[3], 1e-6);
        // the last output row reads source row 511·3/512 = 2.994, the black padding row
        assertEquals(-1, x[3 * 511 * 512], 1e-7);
    }
}
