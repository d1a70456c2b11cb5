package pinkcnn.engine.backend;

import java.util.List;

/**
 * Kernel families a backend keeps in several numbered versions, each faster one beside the ones before it, and
 * switching between them (for benchmarks that compare them, and parity tests). The OpenCL backend's come with
 * {@link KernelLab}; the CPU backend has its own.
 */
public interface NumberedVersions {
    /** The numbered versions of a family, oldest first; an {@link IllegalArgumentException} for other families. */
    List<String> versions(String family);

    /** The version of a family this backend runs now (its fastest for the device unless changed). */
    String version(String family);

    /** Runs {@code family} in version {@code version} from now on. */
    void useVersion(String family, String version);

    /** Runs {@code work} with {@code family} in {@code version}, then switches back to the version it found. */
    default void withVersion(String family, String version, Runnable work) {
        String previous = version(family);
        useVersion(family, version);
        try {
            work.run();
        } finally {
            useVersion(family, previous);
        }
    }
}
