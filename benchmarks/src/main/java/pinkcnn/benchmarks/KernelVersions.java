package pinkcnn.benchmarks;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import pinkcnn.engine.backend.Backend;
import pinkcnn.engine.backend.KernelLab;
import pinkcnn.engine.backend.NumberedVersions;
import pinkcnn.engine.cpu.CpuBackend;

/**
 * A backend's numbered kernel versions as {@code pinkcnn bench --variant} compares them: the backend's
 * {@link NumberedVersions} and which family each benchmarked op runs on. The OpenCL backend offers its versions
 * through {@link KernelLab}; the CPU backend has its own and is no lab, so its cases, every version's included, are
 * timed by the wall clock.
 */
public record KernelVersions(NumberedVersions backend, Map<String, String> familyOfOp) {

    /** The family whose version the op's cases run in, or null where none of this backend's does. */
    public String family(String op) {
        return familyOfOp.get(op);
    }

    /**
     * The backend's numbered versions, or null where it has none: on a lab GEMM under gemm and the convolutions,
     * depthwise, the whole inverted-residual block; on the CPU backend the convolutions' forward product (1×1 and im2col; its {@code gemm} has one
     * version), depthwise 3×3, the whole inverted-residual block.
     */
    public static KernelVersions of(Backend b) {
        if (b instanceof KernelLab lab && !lab.families().isEmpty()) {
            Map<String, String> families = new HashMap<>();
            for (String op : List.of("gemm", "conv1x1", "conv3x3")) families.put(op, KernelLab.GEMM);
            families.put("depthwise", KernelLab.DEPTHWISE);
            families.put("block", KernelLab.BLOCK);
            families.values().retainAll(lab.families());
            return new KernelVersions(lab, families);
        }
        if (b instanceof CpuBackend cpu) {
            return new KernelVersions(cpu, Map.of("conv1x1", CpuBackend.CONV, "conv3x3", CpuBackend.CONV,
                    "depthwise", CpuBackend.DEPTHWISE, "block", CpuBackend.BLOCK));
        }
        return null;
    }
}
