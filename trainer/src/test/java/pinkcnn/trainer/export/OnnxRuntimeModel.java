package pinkcnn.trainer.export;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Map;

/**
 * An exported model loaded in ONNX Runtime (the reference consumer of the files pinkcnn writes), run on NHWC floats.
 * Shared with the trainer's export tests through the engine's test jar.
 */
public final class OnnxRuntimeModel implements AutoCloseable {
    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession session;

    public OnnxRuntimeModel(byte[] model) throws OrtException {
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(2); // the development machine and CI have two cores
            session = env.createSession(model, options);
        }
    }

    /** The first output for one input tensor, flattened (row-major), with its shape in {@code shapeOut} if given. */
    public float[] run(float[] input, long[] shape, long[][] shapeOut) throws OrtException {
        String name = session.getInputNames().iterator().next();
        try (OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(input), shape);
             OrtSession.Result r = session.run(Map.of(name, x))) {
            OnnxTensor y = (OnnxTensor) r.get(0);
            if (shapeOut != null) shapeOut[0] = y.getInfo().getShape();
            FloatBuffer b = y.getFloatBuffer();
            float[] out = new float[b.remaining()];
            b.get(out);
            return out;
        }
    }

    public OrtSession session() {
        return session;
    }

    public Map<String, String> metadata() throws OrtException {
        return session.getMetadata().getCustomMetadata();
    }

    @Override
    public void close() throws OrtException {
        session.close();
    }

    /**
     * The largest of |got − ref| / max(1, |ref|) over all elements: the tests require it ≤ 1e-4, i.e.
     * |got − ref| ≤ 1e-4·max(1, |ref|) for every element.
     */
    public static double maxRelativeError(float[] got, float[] ref) {
        if (got.length != ref.length) throw new AssertionError(got.length + " values, expected " + ref.length);
        double worst = 0;
        for (int i = 0; i < ref.length; i++) {
            double e = Math.abs((double) got[i] - ref[i]) / Math.max(1, Math.abs(ref[i]));
            if (!(e <= worst)) worst = Double.isNaN(e) ? Double.POSITIVE_INFINITY : e;
        }
        return worst;
    }

    public static long[] shape(int... dims) {
        return Arrays.stream(dims).mapToLong(d -> d).toArray();
    }
}
