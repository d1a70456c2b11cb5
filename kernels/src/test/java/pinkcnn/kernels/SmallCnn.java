package pinkcnn.kernels;

import java.util.List;
import java.util.Random;
import pinkcnn.engine.Tensor;
import pinkcnn.engine.TensorScope;
import pinkcnn.engine.backend.Backend;
import pinkcnn.engine.nn.BatchNorm;
import pinkcnn.engine.nn.Conv2d;
import pinkcnn.engine.nn.Dense;
import pinkcnn.engine.nn.DepthwiseConv2d;
import pinkcnn.engine.nn.Dropout;
import pinkcnn.engine.nn.GlobalAveragePool2d;
import pinkcnn.engine.nn.MaxPool2d;
import pinkcnn.engine.nn.ReLU;
import pinkcnn.engine.nn.Sequential;
import pinkcnn.engine.nn.ZeroPadding2d;
import pinkcnn.engine.ops.Functional;
import pinkcnn.engine.optim.Optimizer;

/**
 * A small CNN in MobileNetV2's style that uses every kind of kernel a training step needs: asymmetric zero padding and
 * a stride-2 convolution, batch norm in training mode, ReLU6, a depthwise and a 1×1 convolution, max pooling, global
 * average pooling, dropout, a dense layer and softmax cross-entropy. The same seed gives the same weights on every
 * backend.
 */
final class SmallCnn {
    static final int CLASSES = 4;

    final Backend backend;
    final Sequential model;

    SmallCnn(Backend b, long seed) {
        Random rnd = new Random(seed);
        this.backend = b;
        this.model = new Sequential("small_cnn", List.of(
                new ZeroPadding2d("pad", 0, 1, 0, 1),
                new Conv2d(b, "conv", 3, 8, 3, 2, "valid", false, rnd),
                new BatchNorm(b, "conv_bn", 8),
                ReLU.relu6("conv_relu"),
                new DepthwiseConv2d(b, "dw", 8, 3, 1, "same", rnd),
                new BatchNorm(b, "dw_bn", 8),
                ReLU.relu6("dw_relu"),
                new Conv2d(b, "project", 8, 12, 1, 1, "same", true, rnd),
                new MaxPool2d("pool", 2, 2, "valid"),
                new GlobalAveragePool2d("gap"),
                new Dropout("dropout", 0.2f, 99),
                new Dense(b, "logits", 12, CLASSES, false, rnd)));
        model.setTraining(true);
    }

    /** Forward, backward and one optimizer step on a batch; returns the loss. */
    float step(Optimizer optimizer, float[] images, float[] targets, int batch, int size) {
        try (TensorScope scope = TensorScope.open()) {
            Tensor x = Tensor.of(backend, images, batch, size, size, 3);
            Tensor t = Tensor.of(backend, targets, batch, CLASSES);
            Tensor loss = Functional.softmaxCrossEntropy(model.forward(x), t);
            float value = loss.item();
            loss.backward();
            optimizer.step(model.weights());
            return value;
        }
    }

    /** Random images and one-hot labels for one batch. */
    static float[][] batch(Random rnd, int batch, int size) {
        float[] x = new float[batch * size * size * 3], y = new float[batch * CLASSES];
        for (int i = 0; i < x.length; i++) x[i] = rnd.nextFloat() * 2 - 1;
        for (int i = 0; i < batch; i++) y[i * CLASSES + rnd.nextInt(CLASSES)] = 1f;
        return new float[][] {x, y};
    }
}
