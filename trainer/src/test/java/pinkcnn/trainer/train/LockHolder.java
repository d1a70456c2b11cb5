package pinkcnn.trainer.train;

import java.nio.file.Path;

/** A second process for {@link ReliabilityTrainTest}: locks the run folder given, says "locked", waits to be killed. */
public final class LockHolder {
    private LockHolder() {}

    public static void main(String[] args) throws Exception {
        try (RunFolder.Lock lock = new RunFolder(Path.of(args[0])).lock("pinkcnn train")) {
            System.out.println("locked");
            System.out.flush();
            Thread.sleep(Long.MAX_VALUE);
        }
    }
}
