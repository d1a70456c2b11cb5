package pinkcnn.trainer.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class OrderedParallelTest {

    private final ExecutorService pool = Executors.newFixedThreadPool(4);

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    @Test
    void resultsComeInInputOrderWithBoundedLookAhead() {
        AtomicInteger started = new AtomicInteger();
        List<Integer> inputs = IntStream.range(0, 200).boxed().toList();
        List<Integer> out = new ArrayList<>();
        try (OrderedParallel<Integer, Integer> p = new OrderedParallel<>(inputs.iterator(), i -> {
            started.incrementAndGet();
            try {
                Thread.sleep((i * 7) % 3);          // finish out of order
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return i * i;
        }, pool, 5)) {
            while (p.hasNext()) {
                int next = p.next();
                out.add(next);
                assertTrue(started.get() <= out.size() + 5, "at most the window runs ahead");
            }
        }
        assertEquals(inputs.stream().map(i -> i * i).toList(), out);
    }

    @Test
    void aFailureIsRethrownToTheConsumer() {
        try (OrderedParallel<Integer, Integer> p = new OrderedParallel<>(List.of(1, 2, 3).iterator(), i -> {
            if (i == 2) throw new IllegalStateException("bad input " + i);
            return i;
        }, pool, 2)) {
            assertEquals(1, p.next());
            IllegalStateException e = assertThrows(IllegalStateException.class, p::next);
            assertEquals("bad input 2", e.getMessage());
        }
    }
}
