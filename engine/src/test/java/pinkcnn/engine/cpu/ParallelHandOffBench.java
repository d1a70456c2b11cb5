package pinkcnn.engine.cpu;

import java.util.Arrays;

/**
 * What one parallel loop of the CPU backend costs beside running it on the caller: 8 parts of a small sum, on 2
 * threads and inline, alternating, medians of 100 × 100 loops. Run after {@code mvn -pl engine test-compile}:
 * {@code java -cp engine/target/classes:engine/target/test-classes pinkcnn.engine.cpu.ParallelHandOffBench}.
 */
public final class ParallelHandOffBench {
    private static volatile double sink;

    public static void main(String[] args) {
        int rounds = 100;
        try (Parallel two = new Parallel(2)) {
            for (int work : new int[] {100, 1000, 10000}) {
                float[] data = new float[8 * work];
                Parallel.Range body = (from, to) -> {
                    double s = 0;
                    for (int i = from * work; i < to * work; i++) s += data[i] * 1.0001f;
                    sink = s;
                };
                double[] inline = new double[rounds], parallel = new double[rounds];
                for (int r = -rounds / 5; r < rounds; r++) {
                    long t0 = System.nanoTime();
                    for (int k = 0; k < 100; k++) body.run(0, 8);
                    long t1 = System.nanoTime();
                    for (int k = 0; k < 100; k++) two.forRange(8, 1, body);
                    long t2 = System.nanoTime();
                    if (r >= 0) {
                        inline[r] = (t1 - t0) / 100e3;
                        parallel[r] = (t2 - t1) / 100e3;
                    }
                }
                Arrays.sort(inline);
                Arrays.sort(parallel);
                System.out.printf("8 parts x %5d floats: inline %6.1f us, 2 threads %6.1f us per loop%n", work,
                        inline[rounds / 2], parallel[rounds / 2]);
            }
        }
    }
}
