package pinkcnn.kernels;

import java.util.List;
import org.jocl.cl_mem;

/**
 * GEMM on the device, in the numbered versions of gemm.cl. {@link #VERSIONS} lists them in order; the default is the
 * fastest measured for the device type (v4 on CPU devices, v3 on GPUs) and {@link #use} switches, for benchmarks.
 */
final class ClGemm {
    private static final String FILE = "gemm.cl";
    static final List<String> VERSIONS = List.of("v1_naive", "v2_tiled", "v3_regblock", "v4_packed");

    private final ClContext cl;
    private GemmTiles tiles;
    private String options;
    /**
     * v4's build options by (narrow, rows per tile): narrow (n ≤ VW) uses one vector per tile row, so skinny outputs
     * (16 channels) waste no lanes on padding; see {@link #tileRows} for the rows.
     */
    private final java.util.Map<String, String> v4Options = new java.util.HashMap<>();
    private String version;
    private final PackedOperands packed;

    /** @param tuned tile parameters from the tuning cache (empty: the device type's defaults) */
    ClGemm(ClContext cl, java.util.Map<String, Integer> tuned) {
        this.cl = cl;
        this.tiles = GemmTiles.forDevice(cl.device, cl.device.maxWorkGroupSize(), tuned);
        this.options = tiles.options();
        this.version = defaultVersion(cl.device);
        this.packed = new PackedOperands(cl);
    }

    private static String defaultVersion(DeviceInfo d) {
        return d.isGpu() ? "v3_regblock" : "v4_packed";
    }

    String version() {
        return version;
    }

    void use(String v) {
        if (!VERSIONS.contains(v)) throw new IllegalArgumentException("unknown GEMM version '" + v + "'; choose from " + VERSIONS);
        version = v;
    }

    /** The tunable tile parameters ({@link GemmTiles#space}) in use now. */
    java.util.Map<String, Integer> tuning() {
        java.util.Map<String, Integer> out = new java.util.LinkedHashMap<>();
        for (String key : GemmTiles.space(cl.device).keySet()) out.put(key, tiles.get(key));
        return out;
    }

    /** The device type's values of the tunable parameters. */
    java.util.Map<String, Integer> defaultTuning() {
        GemmTiles d = GemmTiles.defaults(cl.device, cl.device.maxWorkGroupSize());
        java.util.Map<String, Integer> out = new java.util.LinkedHashMap<>();
        for (String key : GemmTiles.space(cl.device).keySet()) out.put(key, d.get(key));
        return out;
    }

    /** Runs with these tile parameters from now on; each new set is built once, on first use (ProgramCache). */
    void tune(java.util.Map<String, Integer> values) {
        for (String key : values.keySet()) {
            if (!GemmTiles.space(cl.device).containsKey(key)) {
                throw new IllegalArgumentException("GEMM parameter '" + key + "' is not tunable on this device: use "
                        + GemmTiles.space(cl.device).keySet());
            }
        }
        tiles = tiles.with(values);
        options = tiles.options();
        v4Options.clear();
    }

    /** v4's vector width (floats per vector register of the device). */
    int vectorWidth() {
        return tiles.get("VW");
    }

    /**
     * Packs B (k × n, rows n apart: a 1×1 convolution's kernel) as v4's panels of {@code nv} vectors, for kernels of
     * other families that run v4's register tile ({@link ClBlock}).
     */
    PackedOperands.Packer panelPacker(cl_mem b, int k, int n, int nv) {
        // the build options only when it packs: most calls find the panels kept
        return dst -> cl.launchGrid(cl.kernel(FILE, "gemm_pack_b", tiles.with("NV=" + nv).options()), k,
                (n + vectorWidth() * nv - 1) / (vectorWidth() * nv), 1, n, k, b, 0, n, 1, dst);
    }

    /** GEMM calls whose B came packed from an earlier call (unchanged weights). */
    long packedHits() {
        return packed.hits();
    }

    /** Whether {@link #gemm} can apply an {@link Epilogue} in its output stage (v4; the others leave it to the caller). */
    boolean fusesEpilogue() {
        return version.equals("v4_packed");
    }

    /** C = alpha·op(A)·op(B) + beta·C with the current version; offsets and leading dimensions in floats. */
    void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha, cl_mem a, int offA, int lda,
              cl_mem b, int offB, int ldb, float beta, cl_mem c, int offC, int ldc) {
        gemm(transA, transB, m, n, k, alpha, a, offA, lda, b, offB, ldb, beta, c, offC, ldc, null);
    }

    /** {@link #gemm} with the output stage {@code e} on C's columns (null: none; needs {@link #fusesEpilogue}). */
    void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha, cl_mem a, int offA, int lda,
              cl_mem b, int offB, int ldb, float beta, cl_mem c, int offC, int ldc, Epilogue e) {
        if (e != null && (!fusesEpilogue() || k <= 0)) throw new IllegalStateException("GEMM " + version + " has no fused output stage");
        if (m <= 0 || n <= 0) return;
        int rsA = transA ? 1 : lda, csA = transA ? lda : 1;
        int rsB = transB ? 1 : ldb, csB = transB ? ldb : 1;
        if (k <= 0) { // C = beta·C: the naive kernel's loop is empty, which is exactly that
            run("v1_naive", m, n, 0, alpha, a, offA, rsA, csA, b, offB, rsB, csB, beta, c, offC, ldc);
            return;
        }
        run(version, m, n, k, alpha, a, offA, rsA, csA, b, offB, rsB, csB, beta, c, offC, ldc, e);
    }

    private void run(String v, int m, int n, int k, float alpha, cl_mem a, int offA, int rsA, int csA,
                     cl_mem b, int offB, int rsB, int csB, float beta, cl_mem c, int offC, int ldc) {
        run(v, m, n, k, alpha, a, offA, rsA, csA, b, offB, rsB, csB, beta, c, offC, ldc, null);
    }

    private void run(String v, int m, int n, int k, float alpha, cl_mem a, int offA, int rsA, int csA,
                     cl_mem b, int offB, int rsB, int csB, float beta, cl_mem c, int offC, int ldc, Epilogue e) {
        switch (v) {
            case "v1_naive" -> {
                long[] local = {16, 4};
                cl.launch(cl.kernel(FILE, "gemm_v1_naive", options),
                        new long[] {ClContext.roundUp(n, local[0]), ClContext.roundUp(m, local[1])}, local,
                        m, n, k, alpha, a, offA, rsA, csA, b, offB, rsB, csB, beta, c, offC, ldc);
            }
            case "v2_tiled" -> {
                int ts = tiles.get("TS");
                cl.launch(cl.kernel(FILE, "gemm_v2_tiled", options),
                        new long[] {ClContext.roundUp(n, ts), ClContext.roundUp(m, ts)}, new long[] {ts, ts},
                        m, n, k, alpha, a, offA, rsA, csA, b, offB, rsB, csB, beta, c, offC, ldc);
            }
            case "v3_regblock" -> {
                int tsm = tiles.get("TSM"), tsn = tiles.get("TSN");
                long[] local = {tsn / tiles.get("WPTN"), tsm / tiles.get("WPTM")};
                cl.launch(cl.kernel(FILE, "gemm_v3_regblock", options),
                        new long[] {(n + tsn - 1) / tsn * local[0], (m + tsm - 1) / tsm * local[1]}, local,
                        m, n, k, alpha, a, offA, rsA, csA, b, offB, rsB, csB, beta, c, offC, ldc);
            }
            case "v4_packed" -> {
                boolean narrow = n <= tiles.get("VW");
                int mr = tileRows(m, tiles.get(narrow ? "MRN" : "MR")), nr = tiles.get("VW") * (narrow ? 1 : tiles.get("NV"));
                int ls = tiles.get("LS");
                String opts = v4Options.computeIfAbsent(narrow + "," + mr,
                        key -> (narrow ? tiles.with("NV=1") : tiles).with("MR=" + mr).options());
                int panels = (n + nr - 1) / nr;
                long rowBlocks = (m + mr - 1) / mr;
                ls = rowBlocksPerGroup(rowBlocks, panels, ls);
                // B needs no packed copy when each panel is read by one work-group only, or when B already is one
                // panel in packed layout (n = NR columns, rows NR apart: the 1×1 convolutions to 16 or 32 channels)
                boolean inPlace = csB == 1 && n % nr == 0 && (rowBlocks <= ls || (n == nr && rsB == nr));
                cl_mem bp = b;
                int offBp = offB, panelStride = nr, ldbp = rsB;
                if (!inPlace) {
                    bp = packed.get(b, offB, rsB, csB, k, n, nr, (long) panels * k * nr,
                            dst -> cl.launchGrid(cl.kernel(FILE, "gemm_pack_b", opts), k, panels, 1, n, k, b, offB, rsB, csB, dst));
                    offBp = 0;
                    panelStride = k * nr;
                    ldbp = nr;
                }
                cl.launch(cl.kernel(FILE, "gemm_v4_packed", e == null ? opts : opts + Epilogue.OPTION),
                        new long[] {ClContext.roundUp(rowBlocks, ls), panels}, new long[] {ls, 1},
                        Epilogue.append(new Object[] {m, n, k, alpha, a, offA, rsA, csA, bp, offBp, panelStride, ldbp, beta,
                                c, offC, ldc}, e));
            }
            default -> throw new IllegalStateException(v);
        }
    }

    /**
     * v4's rows per tile: mr (MR, or MRN for one-vector-wide tiles), or mr − 1 when that divides m and mr does not. The
     * 49 rows of a 7×7 map are then 7 tiles of 7 rows instead of 7 of 8, which would compute 7 rows for nothing (1/8
     * of the work).
     */
    private static int tileRows(int m, int mr) {
        return m % mr != 0 && mr > 2 && m % (mr - 1) == 0 ? mr - 1 : mr;
    }

    /**
     * v4's work-group: {@code ls} consecutive row blocks of one panel, run one after another on a CPU core while the
     * panel stays in cache. With few rows (7×7 layers) all row blocks form one group, so every panel is read once; with
     * too few groups to keep every compute unit busy, smaller groups.
     */
    private int rowBlocksPerGroup(long rowBlocks, long panels, int ls) {
        long units = cl.device.computeUnits();
        if (rowBlocks <= 2L * ls && panels >= 2 * units) return Integer.highestOneBit((int) rowBlocks * 2 - 1);
        while (ls > 1 && (rowBlocks + ls - 1) / ls * panels < 2 * units) ls /= 2;
        return ls;
    }
}
