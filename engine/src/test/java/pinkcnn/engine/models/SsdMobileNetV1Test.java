package pinkcnn.engine.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import pinkcnn.engine.cpu.CpuBackend;
import pinkcnn.engine.nn.Graph;

/** The detector's structure: face-api's feature-map sizes, 5,118 anchors at 512×512 and its parameter count. */
class SsdMobileNetV1Test {

    @Test
    void hasFaceApisFeatureMapsAndAnchors() {
        try (CpuBackend cpu = new CpuBackend(1)) {
            Graph g = SsdMobileNetV1.build(cpu, 512, 1);
            int[][] maps = {{32, 512}, {16, 1024}, {8, 512}, {4, 256}, {2, 256}, {1, 128}};
            for (int k = 0; k < maps.length; k++) {
                int[] s = g.outputShape(SsdMobileNetV1.FEATURE_MAPS.get(k));
                assertArrayEquals(new int[] {1, maps[k][0], maps[k][0], maps[k][1]}, s, SsdMobileNetV1.FEATURE_MAPS.get(k));
                int a = SsdMobileNetV1.anchorsPerCell(k);
                assertArrayEquals(new int[] {1, maps[k][0], maps[k][0], 4 * a}, g.outputShape(SsdMobileNetV1.boxesLayer(k)));
                assertArrayEquals(new int[] {1, maps[k][0], maps[k][0], 3 * a}, g.outputShape(SsdMobileNetV1.classesLayer(k)));
            }
            assertEquals(SsdMobileNetV1.ANCHORS, SsdMobileNetV1.anchorCount(g));
            // the converted face-api weights hold 5,555,519 values: these and the 5,118 × 4 anchors
            assertEquals(5_535_047, g.parameterCount());
            assertThrows(IllegalArgumentException.class, () -> SsdMobileNetV1.build(cpu, 500, 1));
        }
    }
}
