package pinkcnn.kernels;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Per-channel kernels (batch norm's affine map, statistics and gradients; bias) against the CPU backend. */
class ChannelOpsParityTest {
    @RegisterExtension
    static final Twins t = new Twins(17);

    /** {rows, c}: a single row, odd sizes, few channels over many rows, many channels over few rows. */
    static final int[][] SHAPES = {{1, 7}, {63, 5}, {429, 17}, {3000, 3}, {7, 1280}, {37, 32}, {5, 96}, {11, 24}};

    @Test
    void affineAndBias() {
        for (int[] s : SHAPES) {
            int rows = s[0], c = s[1];
            Twins.Pair x = t.random((long) rows * c), scale = t.random(c), shift = t.random(c), y = t.random((long) rows * c);
            t.run((b, z) -> b.channelAffine(rows, c, z.at(x), z.at(scale), z.at(shift), z.at(y)));
            t.assertClose(y, "channelAffine " + rows + "x" + c);
            for (float cap : new float[] {6f, Float.POSITIVE_INFINITY}) {
                t.run((b, z) -> b.channelAffineClamp(rows, c, z.at(x), z.at(scale), z.at(shift), cap, z.at(y)));
                t.assertClose(y, "channelAffineClamp cap " + cap + " " + rows + "x" + c);
            }
            t.run((b, z) -> b.biasAdd(rows, c, z.at(x), z.at(shift), z.at(y)));
            t.assertClose(y, "biasAdd " + rows + "x" + c);
            Twins.Pair dBias = t.random(c);
            t.run((b, z) -> b.biasGrad(rows, c, z.at(x), z.at(dBias)));
            t.assertClose(dBias, "biasGrad " + rows + "x" + c);
        }
    }

    @Test
    void affineGradientWithAndWithoutEachOutput() {
        for (int[] s : SHAPES) {
            int rows = s[0], c = s[1];
            Twins.Pair x = t.random((long) rows * c), dy = t.random((long) rows * c), scale = t.random(c);
            for (int mask = 0; mask < 8; mask++) {
                Twins.Pair dx = (mask & 1) != 0 ? t.random((long) rows * c) : null;
                Twins.Pair dScale = (mask & 2) != 0 ? t.random(c) : null, dShift = (mask & 4) != 0 ? t.random(c) : null;
                t.run((b, z) -> b.channelAffineGrad(rows, c, z.at(x), z.at(dy), z.at(scale), dx == null ? null : z.at(dx),
                        dScale == null ? null : z.at(dScale), dShift == null ? null : z.at(dShift)));
                String what = "channelAffineGrad " + rows + "x" + c + " outputs " + mask;
                if (dx != null) t.assertClose(dx, what + " dx");
                if (dScale != null) t.assertClose(dScale, what + " dScale");
                if (dShift != null) t.assertClose(dShift, what + " dShift");
            }
        }
    }

    @Test
    void momentsOfDataWithALargeMean() {
        for (int[] s : SHAPES) {
            int rows = s[0], c = s[1];
            Twins.Pair x = t.uniform((long) rows * c, 9f, 11f), mean = t.random(c), var = t.random(c);
            t.run((b, z) -> b.channelMoments(rows, c, z.at(x), z.at(mean), z.at(var)));
            t.assertClose(mean, "channelMoments mean " + rows + "x" + c);
            t.assertClose(var, "channelMoments var " + rows + "x" + c);
        }
    }

    @Test
    void batchNormBackwardAndScaleShift() {
        float eps = 1e-3f;
        for (int[] s : SHAPES) {
            int rows = s[0], c = s[1];
            Twins.Pair x = t.uniform((long) rows * c, -2f, 3f), dy = t.random((long) rows * c), gamma = t.random(c);
            Twins.Pair beta = t.random(c), mean = t.zeros(c), var = t.zeros(c);
            t.run((b, z) -> b.channelMoments(rows, c, z.at(x), z.at(mean), z.at(var)));
            for (int mask = 0; mask < 8; mask++) {
                Twins.Pair dx = (mask & 1) != 0 ? t.random((long) rows * c) : null;
                Twins.Pair dGamma = (mask & 2) != 0 ? t.random(c) : null, dBeta = (mask & 4) != 0 ? t.random(c) : null;
                // both sides use the CPU's statistics, so only the gradient kernel is compared
                t.run((b, z) -> b.batchNormGrad(rows, c, z.at(x), z.at(dy), z.at(mean), z.at(var), z.at(gamma), eps,
                        dx == null ? null : z.at(dx), dGamma == null ? null : z.at(dGamma), dBeta == null ? null : z.at(dBeta)));
                String what = "batchNormGrad " + rows + "x" + c + " outputs " + mask;
                if (dx != null) t.assertClose(dx, what + " dx");
                if (dGamma != null) t.assertClose(dGamma, what + " dGamma");
                if (dBeta != null) t.assertClose(dBeta, what + " dBeta");
            }
            Twins.Pair scale = t.random(c), shift = t.random(c);
            t.run((b, z) -> b.batchNormScaleShift(c, z.at(gamma), z.at(beta), z.at(mean), z.at(var), eps, z.at(scale), z.at(shift)));
            t.assertClose(scale, "batchNormScaleShift scale " + c);
            t.assertClose(shift, "batchNormScaleShift shift " + c);
        }
    }
}
