package pinkcnn.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import pinkcnn.engine.Tensor;
import pinkcnn.engine.nn.BatchNorm;
import pinkcnn.engine.testing.Assertions2;

/**
 * A batch norm's folded scale and shift ({@link BatchNorm#folded}) on the OpenCL backend: kept while none of its four
 * weights changed (a pass without gradients then launches no fold), computed again after an upload or a kernel that
 * was given one of them, and always equal to the fold computed on the host.
 */
class FoldedBatchNormTest {
    @RegisterExtension
    static final Twins t = new Twins(3);

    @Test
    void aFoldIsKeptUntilOneOfItsWeightsChanges() {
        OpenClBackend cl = t.raw;
        Random rnd = new Random(5);
        int c = 20;
        BatchNorm bn = new BatchNorm(cl, "bn", c);
        float[][] w = new float[4][c]; // gamma, beta, moving mean, moving variance
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < c; j++) w[i][j] = i == 3 ? 0.1f + 2 * rnd.nextFloat() : rnd.nextFloat() * 2 - 1;
            bn.weights().get(i).load(w[i]);
        }
        // the first fold also creates the folded tensors (two fills)
        assertFolds(cl, bn, w, List.of("fill", "fill", "batchnorm_scale_shift"), "first fold");
        assertFolds(cl, bn, w, List.of(), "nothing changed");

        for (int j = 0; j < c; j++) w[2][j] += 0.5f;
        bn.weights().get(2).load(w[2]);
        assertFolds(cl, bn, w, List.of("batchnorm_scale_shift"), "moving mean uploaded");
        assertFolds(cl, bn, w, List.of(), "nothing changed since");

        // a kernel that writes a weight in place, as an optimizer step does
        Tensor gamma = bn.weights().get(0).value();
        cl.scale(c, -2f, gamma.storage(), gamma.storage());
        for (int j = 0; j < c; j++) w[0][j] *= -2f;
        assertFolds(cl, bn, w, List.of("batchnorm_scale_shift"), "gamma scaled by a kernel");
        assertFolds(cl, bn, w, List.of(), "nothing changed since");
    }

    /** Folds, checks which kernels that launched and the result against y = x·scale + shift computed here. */
    private static void assertFolds(OpenClBackend cl, BatchNorm bn, float[][] w, List<String> kernels, String what) {
        Tensor[] folded = new Tensor[2];
        List<String> launched = cl.profile(() -> {
            Tensor[] f = bn.folded();
            folded[0] = f[0];
            folded[1] = f[1];
        }).stream().map(KernelTime::kernel).toList();
        assertEquals(kernels, launched, what + ": kernels launched");
        int c = w[0].length;
        float[] scale = new float[c], shift = new float[c];
        for (int j = 0; j < c; j++) {
            scale[j] = (float) (w[0][j] / Math.sqrt(w[3][j] + bn.epsilon()));
            shift[j] = w[1][j] - w[2][j] * scale[j];
        }
        Assertions2.assertClose(scale, folded[0].toArray(), 1e-6, 1e-5, what + ": scale");
        Assertions2.assertClose(shift, folded[1].toArray(), 1e-6, 1e-5, what + ": shift");
    }
}
