package pinkcnn.engine.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import pinkcnn.engine.backend.ConvGeometry;
import pinkcnn.engine.backend.InvertedResidual;
import pinkcnn.engine.cpu.CpuBackend;
import pinkcnn.engine.nn.Graph;

/** {@link MobileNetV2#blocks} describes the blocks {@link MobileNetV2#build} makes, layer shapes and padding included. */
class MobileNetV2BlocksTest {
    @ParameterizedTest
    @ValueSource(ints = {224, 97})
    void blocksMatchTheBuiltGraph(int size) {
        try (CpuBackend cpu = new CpuBackend(1)) {
            Graph g = MobileNetV2.build(cpu, 1.0, size, false, 0, 1);
            List<InvertedResidual> blocks = MobileNetV2.blocks(1.0, size, 3);
            assertEquals(17, blocks.size());
            String input = "Conv1_relu";
            for (int id = 0; id < blocks.size(); id++) {
                InvertedResidual b = blocks.get(id);
                ConvGeometry d = b.depthwise();
                String prefix = id == 0 ? "expanded_conv_" : "block_" + id + "_";
                int[] in = g.outputShape(input);
                assertEquals(3, d.n());
                assertArrayEquals(new int[] {in[1], in[2], in[3]}, new int[] {d.h(), d.w(), b.cin()}, prefix);
                assertEquals(id > 0, g.has(prefix + "expand"), prefix);
                assertEquals(id > 0, b.expand(), prefix);
                int[] dw = g.outputShape(prefix + "depthwise");
                assertArrayEquals(new int[] {dw[1], dw[2], dw[3]}, new int[] {d.outH(), d.outW(), d.cout()}, prefix);
                if (g.has(prefix + "pad")) {
                    int[] padded = g.outputShape(prefix + "pad");
                    assertEquals(padded[1], d.h() + d.padTop() + d.padBottom(), prefix);
                    assertEquals(padded[2], d.w() + d.padLeft() + d.padRight(), prefix);
                    assertEquals(2, d.stride(), prefix);
                } else {
                    assertEquals(1, d.stride(), prefix);
                }
                String last = b.residual() ? prefix + "add" : prefix + "project_BN";
                assertEquals(b.residual(), g.has(prefix + "add"), prefix);
                int[] out = g.outputShape(last);
                assertArrayEquals(new int[] {out[1], out[2], out[3]}, new int[] {d.outH(), d.outW(), b.cout()}, prefix);
                assertEquals(6f, b.expandCap());
                assertEquals(6f, b.depthwiseCap());
                input = last;
            }
        }
    }
}
