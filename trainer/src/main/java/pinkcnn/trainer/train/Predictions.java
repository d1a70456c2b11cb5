package pinkcnn.trainer.train;

import java.util.List;

/** Class probabilities for a set of samples (N × classes) with the true labels. */
public record Predictions(float[][] probabilities, int[] labels) {

    public int[] predicted() {
        int[] p = new int[probabilities.length];
        for (int i = 0; i < p.length; i++) p[i] = argmax(probabilities[i]);
        return p;
    }

    public double accuracy() {
        int[] p = predicted();
        int ok = 0;
        for (int i = 0; i < p.length; i++) if (p[i] == labels[i]) ok++;
        return p.length == 0 ? 0 : ok / (double) p.length;
    }

    /** Mean cross-entropy of the true labels. */
    public double loss() {
        double s = 0;
        for (int i = 0; i < labels.length; i++) s -= Math.log(Math.max(probabilities[i][labels[i]], 1e-12));
        return labels.length == 0 ? 0 : s / labels.length;
    }

    /** The mean of several sets of probabilities of the same samples: test-time views, or ensemble members. */
    public static Predictions average(List<Predictions> views) {
        Predictions first = views.get(0);
        if (views.size() == 1) return first;
        float[][] mean = new float[first.probabilities.length][];
        for (int i = 0; i < mean.length; i++) {
            mean[i] = new float[first.probabilities[i].length];
            for (Predictions v : views) {
                for (int c = 0; c < mean[i].length; c++) mean[i][c] += v.probabilities[i][c] / views.size();
            }
        }
        return new Predictions(mean, first.labels);
    }

    public static int argmax(float[] v) {
        int best = 0;
        for (int j = 1; j < v.length; j++) if (v[j] > v[best]) best = j;
        return best;
    }
}
