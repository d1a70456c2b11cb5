package pinkcnn.trainer.train;

import java.util.List;
import pinkcnn.engine.backend.Backend;
import pinkcnn.engine.nn.Dense;
import pinkcnn.engine.nn.Dropout;
import pinkcnn.engine.nn.Layer;
import pinkcnn.engine.optim.Adam;
import pinkcnn.trainer.data.DatasetReader;
import pinkcnn.trainer.data.Progress;
import pinkcnn.trainer.report.Baseline;
import pinkcnn.trainer.report.ClassificationMetrics;

/**
 * What transfer learning has to beat: a softmax regression on the raw pixels, shrunk to 32×32 (area averaging) and
 * standardised with the training set's mean and deviation, trained the same way as the real head (Adam, dropout,
 * best dev epoch). Faces centred and cropped alike are not hopeless from pixels alone, so this is a fair bar.
 */
public final class RawPixelBaseline {
    public static final int SIZE = 32;
    private static final String INPUT = "pixels";

    private RawPixelBaseline() {}

    public static Baseline measure(Backend backend, DatasetReader train, DatasetReader dev, DatasetReader test,
                                   List<String> classes, long seed) {
        FeatureSet tr = pixels(train), dv = pixels(dev), te = pixels(test);
        standardise(tr, dv, te);
        int features = tr.sampleSize(INPUT);
        List<Layer> head = List.of(new Dropout("dropout", 0.2f, seed),
                new Dense(backend, "dense", features, classes.size(), false, new java.util.Random(seed)));
        Classifier model = Classifier.headOnly(INPUT, head);
        Trainer t = new Trainer(backend, model, new Adam(1e-3f), 32, classes.size(), seed,
                Trainer.balancedClassWeights(tr.labels(), classes.size()), Progress.SILENT);
        t.fit(tr, List.of(dv), 1, 40, 10, (row, best) -> true);
        return Baseline.measured("raw-pixel linear (32×32)", metrics(t.predict(tr), classes),
                metrics(t.predict(dv), classes), metrics(t.predict(te), classes),
                "softmax regression on standardised 32×32 RGB pixels, same splits");
    }

    private static ClassificationMetrics metrics(Predictions p, List<String> classes) {
        return ClassificationMetrics.fromProbabilities(p.labels(), p.probabilities(), classes);
    }

    /** Every image area-averaged to 32×32×3, scaled to [0, 1]. */
    static FeatureSet pixels(DatasetReader data) {
        int n = data.count(), h = data.height(), w = data.width();
        float[] out = new float[n * SIZE * SIZE * 3];
        for (int i = 0; i < n; i++) {
            byte[] img = data.image(i);
            for (int y = 0; y < SIZE; y++)
                for (int x = 0; x < SIZE; x++) {
                    int y0 = y * h / SIZE, y1 = (y + 1) * h / SIZE, x0 = x * w / SIZE, x1 = (x + 1) * w / SIZE;
                    for (int c = 0; c < 3; c++) {
                        double s = 0;
                        for (int yy = y0; yy < y1; yy++) for (int xx = x0; xx < x1; xx++) s += img[(yy * w + xx) * 3 + c] & 0xFF;
                        out[((i * SIZE + y) * SIZE + x) * 3 + c] = (float) (s / ((y1 - y0) * (x1 - x0) * 255.0));
                    }
                }
        }
        FeatureSet set = new FeatureSet(data.labels());
        set.put(INPUT, new int[] {SIZE * SIZE * 3}, out);
        return set;
    }

    /** Standardises every feature with the training set's mean and standard deviation. */
    static void standardise(FeatureSet train, FeatureSet... others) {
        int d = train.sampleSize(INPUT), n = train.count();
        float[] x = train.tensors().get(INPUT);
        double[] mean = new double[d], var = new double[d];
        for (int i = 0; i < n; i++) for (int j = 0; j < d; j++) mean[j] += x[i * d + j] / (double) n;
        for (int i = 0; i < n; i++) for (int j = 0; j < d; j++) var[j] += Math.pow(x[i * d + j] - mean[j], 2) / n;
        for (FeatureSet s : concat(train, others)) {
            float[] v = s.tensors().get(INPUT);
            for (int i = 0; i < s.count(); i++)
                for (int j = 0; j < d; j++) v[i * d + j] = (float) ((v[i * d + j] - mean[j]) / Math.sqrt(var[j] + 1e-6));
        }
    }

    private static FeatureSet[] concat(FeatureSet first, FeatureSet[] rest) {
        FeatureSet[] all = new FeatureSet[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }
}
