package pinkcnn.benchmarks;

import java.util.List;
import pinkcnn.engine.backend.Backend;
import pinkcnn.engine.backend.KernelLab;
import pinkcnn.engine.cpu.CpuBackend;

/**
 * A backend's numbered kernel versions as {@code pinkcnn bench --variant} compares them: which family each benchmarked
 * op runs on, that family's versions, and switching between them. The OpenCL backend offers its versions through
 * {@link KernelLab}; the CPU backend has its own ({@link CpuBackend#versions}) and is no lab, so its cases, every
 * version's included, are timed by the wall clock.
 */
public interface KernelVersions {
    /** The family whose version the op's cases run in, or null where none of this backend's does. */
    String family(String op);

    /** The family's versions, oldest first. */
    List<String> versions(String family);

    String version(String family);

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

    /** The backend's numbered versions, or null where it has none. */
    static KernelVersions of(Backend b) {
        if (b instanceof KernelLab lab && !lab.families().isEmpty()) return new Lab(lab);
        if (b instanceof CpuBackend cpu) return new Cpu(cpu);
        return null;
    }

    /** A {@link KernelLab}'s families: GEMM under gemm and the convolutions, depthwise. */
    record Lab(KernelLab lab) implements KernelVersions {
        @Override
        public String family(String op) {
            String family = switch (op) {
                case "gemm", "conv1x1", "conv3x3" -> KernelLab.GEMM;
                case "depthwise" -> KernelLab.DEPTHWISE;
                default -> null;
            };
            return family != null && lab.families().contains(family) ? family : null;
        }

        @Override
        public List<String> versions(String family) {
            return lab.versions(family);
        }

        @Override
        public String version(String family) {
            return lab.version(family);
        }

        @Override
        public void useVersion(String family, String version) {
            lab.useVersion(family, version);
        }
    }

    /**
     * The CPU backend's families: the convolutions' forward product (1×1 and im2col), depthwise 3×3, the whole
     * inverted-residual block. Its {@code gemm} has one version.
     */
    record Cpu(CpuBackend cpu) implements KernelVersions {
        @Override
        public String family(String op) {
            return switch (op) {
                case "conv1x1", "conv3x3" -> CpuBackend.CONV;
                case "depthwise" -> CpuBackend.DEPTHWISE;
                case "block" -> CpuBackend.BLOCK;
                default -> null;
            };
        }

        @Override
        public List<String> versions(String family) {
            return CpuBackend.versions(family);
        }

        @Override
        public String version(String family) {
            return cpu.version(family);
        }

        @Override
        public void useVersion(String family, String version) {
            cpu.useVersion(family, version);
        }
    }
}
