package pinkcnn.engine.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

/** The CPU backend's parallel loops: every index once, numbered chunks, failures, loops inside loops, many threads. */
class ParallelTest {
    @Test
    void everyIndexRunsExactlyOnceWhateverTheSplit() {
        for (int threads : new int[] {1, 2, 3, 8}) {
            try (Parallel p = new Parallel(threads)) {
                for (int n : new int[] {0, 1, 2, 7, 64, 1000, 12345}) {
                    for (int grain : new int[] {1, 3, 100, Integer.MAX_VALUE}) {
                        AtomicIntegerArray hits = new AtomicIntegerArray(n);
                        p.forRange(n, grain, (from, to) -> {
                            for (int i = from; i < to; i++) hits.incrementAndGet(i);
                        });
                        for (int i = 0; i < n; i++) assertEquals(1, hits.get(i), "threads " + threads + ", n " + n + ", grain " + grain + ", index " + i);
                    }
                }
            }
        }
    }

    @Test
    void chunksAreNumberedContiguousAndAsAnnounced() {
        try (Parallel p = new Parallel(2)) {
            for (int round = 0; round < 200; round++) {
                int n = 10 + round, chunks = p.chunks(n, 3);
                assertEquals(2, chunks);
                int[][] seen = new int[chunks][];
                p.forChunks(n, 3, (chunk, from, to) -> seen[chunk] = new int[] {from, to});
                assertEquals(0, seen[0][0]);
                assertEquals(seen[0][1], seen[1][0]);
                assertEquals(n, seen[1][1]);
            }
        }
    }

    @Test
    void aFailureReachesTheCallerAndTheLoopsGoOn() {
        try (Parallel p = new Parallel(2)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> p.forRange(100, 1, (from, to) -> {
                if (from <= 50 && 50 < to) throw new IllegalStateException("part with 50");
            }));
            assertEquals("part with 50", e.getMessage());
            AtomicIntegerArray hits = new AtomicIntegerArray(100);
            p.forRange(100, 1, (from, to) -> {
                for (int i = from; i < to; i++) hits.incrementAndGet(i);
            });
            for (int i = 0; i < 100; i++) assertEquals(1, hits.get(i));
        }
    }

    @Test
    void aLoopInsideALoopAndLoopsFromSeveralThreadsRunCompletely() throws Exception {
        try (Parallel p = new Parallel(2)) {
            AtomicIntegerArray hits = new AtomicIntegerArray(64 * 64);
            p.forRange(64, 1, (from, to) -> {
                for (int i = from; i < to; i++) {
                    int row = i;
                    p.forRange(64, 1, (f2, t2) -> {
                        for (int j = f2; j < t2; j++) hits.incrementAndGet(row * 64 + j);
                    });
                }
            });
            for (int i = 0; i < 64 * 64; i++) assertEquals(1, hits.get(i));

            ConcurrentHashMap<Integer, Integer> sums = new ConcurrentHashMap<>();
            Thread[] callers = new Thread[4];
            for (int c = 0; c < callers.length; c++) {
                int id = c;
                callers[c] = new Thread(() -> {
                    for (int round = 0; round < 300; round++) {
                        AtomicIntegerArray h = new AtomicIntegerArray(500);
                        p.forRange(500, 7, (from, to) -> {
                            for (int i = from; i < to; i++) h.incrementAndGet(i);
                        });
                        int s = 0;
                        for (int i = 0; i < 500; i++) s += h.get(i);
                        sums.merge(id, s == 500 ? 1 : 0, Integer::sum);
                    }
                });
                callers[c].start();
            }
            for (Thread t : callers) t.join();
            for (int c = 0; c < callers.length; c++) assertEquals(300, sums.get(c), "caller " + c);
        }
    }

    @Test
    void workersAreDaemonsNamedAfterTheBackend() {
        try (Parallel p = new Parallel(3)) {
            p.forRange(1000, 1, (from, to) -> {});
            long workers = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().startsWith("pinkcnn-cpu-") && t.isDaemon()).count();
            assertTrue(workers >= 2, "two workers beside the caller");
        }
    }
}
