package pinkcnn.trainer.train;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import pinkcnn.engine.Tensor;
import pinkcnn.engine.io.GraphWeights;
import pinkcnn.engine.io.KerasWeights;
import pinkcnn.engine.io.Weight;
import pinkcnn.engine.io.WeightFileException;
import pinkcnn.engine.nn.BatchNorm;
import pinkcnn.engine.nn.Graph;
import pinkcnn.engine.nn.Layer;
import pinkcnn.engine.nn.Parameter;

/**
 * The trainable part of a transfer-learning model: an optional segment of the backbone (layers {@code fineTuneFrom}
 * … cut, for fine-tuning) followed by the head. It starts from the activations the frozen part produced
 * ({@link #inputs()}), so each epoch runs only what trains.
 */
public final class Classifier {
    private final Graph backbone;
    private final int first, last;
    private final Set<String> inputs;
    private final List<Layer> head;
    private final float activityL2;
    private final String cut;

    /** A head on inputs that come from outside any backbone (e.g. raw pixels): the input tensor is named {@code input}. */
    public static Classifier headOnly(String input, List<Layer> head) {
        return new Classifier(input, head);
    }

    private Classifier(String input, List<Layer> head) {
        this.backbone = null;
        this.cut = input;
        this.first = 0;
        this.last = -1;
        this.inputs = new LinkedHashSet<>(List.of(input));
        this.head = head;
        this.activityL2 = 0f;
    }

    /**
     * @param fineTuneFrom the first trained backbone layer, or null for a frozen backbone
     * @param bnTrain      whether trained batch-norm layers normalise with batch statistics (and update their moving
     *                     ones); otherwise they keep using moving statistics while γ and β train
     */
    public Classifier(Graph backbone, String cut, String fineTuneFrom, boolean bnTrain, List<Layer> head, float activityL2) {
        this.backbone = backbone;
        this.cut = cut;
        this.last = backbone.position(cut);
        this.head = head;
        this.activityL2 = activityL2;
        for (Layer l : backbone.layers()) l.setTrainable(false);
        if (fineTuneFrom == null) {
            this.first = last + 1;
            this.inputs = new LinkedHashSet<>(List.of(cut));
        } else {
            this.first = backbone.position(fineTuneFrom);
            if (first > last) throw new IllegalArgumentException("--fine-tune-from " + fineTuneFrom + " comes after the cut " + cut);
            this.inputs = backbone.frontier(fineTuneFrom);
            for (int i = first; i <= last; i++) {
                Layer l = backbone.nodes().get(i).layer();
                l.setTrainable(true);
                if (l instanceof BatchNorm bn) bn.setUpdateStatistics(bnTrain);
            }
        }
    }

    /** The activations (layer names) this model starts from. */
    public Set<String> inputs() {
        return inputs;
    }

    public boolean fineTunes() {
        return first <= last;
    }

    /** Logits for a batch of inputs (name → N × sample shape). */
    public Tensor logits(Map<String, Tensor> batch) {
        Tensor x;
        if (fineTunes()) {
            x = backbone.run(batch, first, last, Set.of()).get(cut);
        } else {
            x = batch.get(cut);
        }
        for (Layer l : head) x = l.forward(x);
        return x;
    }

    public float activityL2() {
        return activityL2;
    }

    public void setTraining(boolean training) {
        for (int i = first; i <= last; i++) backbone.nodes().get(i).layer().setTraining(training);
        for (Layer l : head) l.setTraining(training);
    }

    /** Parameters that train: those of the fine-tuned segment and the head. */
    public List<Parameter> trainableWeights() {
        List<Parameter> out = new ArrayList<>();
        for (int i = first; i <= last; i++) for (Parameter p : backbone.nodes().get(i).layer().weights()) if (p.trainable()) out.add(p);
        for (Layer l : head) for (Parameter p : l.weights()) if (p.trainable()) out.add(p);
        return out;
    }

    /** {@link #trainableWeights()} by "layer/weight" name, for messages. */
    public Map<String, Parameter> trainableWeightsByName() {
        Map<String, Parameter> out = new java.util.LinkedHashMap<>();
        for (Layer l : changingLayers()) for (Parameter p : l.weights()) if (p.trainable()) out.put(l.name() + "/" + p.name(), p);
        return out;
    }

    /** Every layer whose weights can change in training (for snapshots and checkpoints). */
    private List<Layer> changingLayers() {
        List<Layer> out = new ArrayList<>();
        for (int i = first; i <= last; i++) out.add(backbone.nodes().get(i).layer());
        out.addAll(head);
        return out;
    }

    /** Puts every dropout layer's mask sequence at a given step, so a resumed run draws the same masks. */
    public void setDropoutCalls(long steps) {
        for (Layer l : head) if (l instanceof pinkcnn.engine.nn.Dropout d) d.setCalls(steps);
    }

    public List<Layer> head() {
        return head;
    }

    /** The whole model — backbone up to the cut, then the head — in Keras layout. */
    public KerasWeights modelWeights() {
        KerasWeights all = backbone == null ? new KerasWeights() : GraphWeights.of(backbone).upTo(cut);
        for (Layer l : head) all.add(l.name(), weightsOf(l));
        return all;
    }

    /** A copy of the changing weights (the best epoch's, for early stopping). */
    public Map<String, List<Weight>> snapshot() {
        Map<String, List<Weight>> s = new HashMap<>();
        for (Layer l : changingLayers()) s.put(l.name(), weightsOf(l));
        return s;
    }

    public void restore(Map<String, List<Weight>> snapshot) {
        for (Layer l : changingLayers()) {
            List<Weight> ws = snapshot.get(l.name());
            for (Parameter p : l.weights()) {
                for (Weight w : ws) if (w.name().equals(p.name())) p.load(w.data());
            }
        }
    }

    /** Loads a whole model written by {@link #modelWeights()} (checked layer by layer first). */
    public void load(KerasWeights file) throws WeightFileException {
        Map<String, List<pinkcnn.engine.io.WeightSpec>> expected = new java.util.LinkedHashMap<>();
        for (int i = 0; i <= last; i++) {
            Layer l = backbone.nodes().get(i).layer();
            expected.put(l.name(), specs(l));
        }
        // (a head-only classifier has last = −1 and checks only its head)
        for (Layer l : head) expected.put(l.name(), specs(l));
        file.checkAgainst(expected, "this run's model");
        for (int i = 0; i <= last; i++) loadLayer(backbone.nodes().get(i).layer(), file);
        for (Layer l : head) loadLayer(l, file);
    }

    private static void loadLayer(Layer l, KerasWeights file) {
        for (Parameter p : l.weights()) p.load(file.weight(l.name(), p.name()).data());
    }

    private static List<pinkcnn.engine.io.WeightSpec> specs(Layer l) {
        List<pinkcnn.engine.io.WeightSpec> out = new ArrayList<>();
        for (Parameter p : l.weights()) out.add(new pinkcnn.engine.io.WeightSpec(p.name(), p.shape()));
        return out;
    }

    private static List<Weight> weightsOf(Layer l) {
        List<Weight> ws = new ArrayList<>();
        for (Parameter p : l.weights()) ws.add(new Weight(p.name(), p.shape(), p.value().toArray()));
        return ws;
    }
}
