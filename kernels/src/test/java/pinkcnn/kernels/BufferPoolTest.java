package pinkcnn.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import pinkcnn.engine.backend.Storage;
import pinkcnn.engine.optim.Adam;

/** The buffer pool reuses device memory: 1,000 training steps create no buffer after the first few. */
class BufferPoolTest {

    @Test
    void noGrowthOverAThousandTrainingSteps() {
        try (OpenClBackend cl = OpenClTestDevice.open()) {
            SmallCnn net = new SmallCnn(cl, 1);
            Adam adam = new Adam(1e-3f);
            Random rnd = new Random(2);
            float[][] batch = SmallCnn.batch(rnd, 4, 9);
            for (int i = 0; i < 3; i++) net.step(adam, batch[0], batch[1], 4, 9);
            long created = cl.buffersCreated(), bytes = cl.pooledBytes();
            float first = 0, last = 0;
            for (int i = 0; i < 1000; i++) {
                float loss = net.step(adam, batch[0], batch[1], 4, 9);
                if (i == 0) first = loss;
                last = loss;
            }
            assertEquals(created, cl.buffersCreated(), "device buffers created during 1,000 steps");
            assertEquals(bytes, cl.pooledBytes(), "device memory held after 1,000 steps");
            assertTrue(last < first, "the steps really trained (loss " + first + " -> " + last + ")");
        }
    }

    @Test
    void releasedStoragesAreReused() {
        try (OpenClBackend cl = OpenClTestDevice.open()) {
            Storage a = cl.allocate(1000);
            long created = cl.buffersCreated();
            a.release();
            Storage b = cl.allocate(1000);
            assertEquals(created, cl.buffersCreated(), "a released buffer of the same size is handed out again");
            Storage c = cl.allocate(5000);
            assertEquals(created + 1, cl.buffersCreated(), "a new size needs a new buffer");
            b.release();
            Storage d = cl.allocateUninitialized(1000);
            assertEquals(created + 1, cl.buffersCreated(), "uninitialised storages come from the same pool");
            assertEquals(1000, d.size());
            c.release();
            d.release();
        }
    }
}
