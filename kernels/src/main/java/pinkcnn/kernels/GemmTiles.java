package pinkcnn.kernels;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Tile sizes and vector widths of the GEMM versions, passed to gemm.cl as {@code -D} options. The defaults depend on
 * the device type (a CPU device wants one wide-vector micro-kernel per work-item; a GPU wants many work-items sharing
 * local memory) and can be overridden, e.g. {@code PINKCNN_OPENCL_TILES="MR=6,NV=2"} or the system property
 * {@code pinkcnn.opencl.tiles}.
 *
 * <ul>
 *   <li>v2: {@code TS} (TS×TS work-group and tiles)</li>
 *   <li>v3: {@code TSM TSN TSK} (work-group tile), {@code WPTM WPTN} (per-work-item block)</li>
 *   <li>v4: {@code VW} (vector width 4/8/16), {@code NV} (vectors per tile row), {@code MR} (tile rows), {@code MRN}
 *       (tile rows when n ≤ VW and the tile is one vector wide), {@code LS} (row blocks per work-group)</li>
 * </ul>
 */
record GemmTiles(Map<String, Integer> values) {

    /** The device type's tiles, then {@code tuned} (from the tuning cache; may be empty), then the user's override. */
    static GemmTiles forDevice(DeviceInfo d, long maxWorkGroup, Map<String, Integer> tuned) {
        GemmTiles t = defaults(d, maxWorkGroup).with(tuned);
        return t.with(System.getProperty("pinkcnn.opencl.tiles", System.getenv("PINKCNN_OPENCL_TILES")));
    }

    /** Whether the user set tiles by hand (they then win over tuned ones, and a tuner has nothing to change). */
    static boolean overridden() {
        String o = System.getProperty("pinkcnn.opencl.tiles", System.getenv("PINKCNN_OPENCL_TILES"));
        return o != null && !o.isBlank();
    }

    /** The device type's tiles, before any tuning or override. */
    static GemmTiles defaults(DeviceInfo d, long maxWorkGroup) {
        Map<String, Integer> v = new LinkedHashMap<>();
        v.put("TS", maxWorkGroup >= 256 ? 16 : 8);
        v.put("TSM", 64);
        v.put("TSN", 64);
        v.put("TSK", 16);
        int wpt = maxWorkGroup >= 256 ? 4 : 8; // 64/4 × 64/4 = 256 work-items, or 64 with 8×8 blocks
        v.put("WPTM", wpt);
        v.put("WPTN", wpt);
        if (d.isGpu()) {
            v.put("VW", 4);
            v.put("NV", 2);
            v.put("MR", 4);
            v.put("MRN", 4);
            v.put("LS", 64);
        } else {
            // AVX-512: 8 rows × 2 float16 = 16 of the 32 vector registers hold the C block.
            v.put("VW", 16);
            v.put("NV", 2);
            v.put("MR", 8);
            // n ≤ 16 (one float16 per row): 12 rows keep 12 accumulators in flight; 8 left the FMA units waiting on
            // each other's results (112×112×32→16: +6 % on 1 thread, +12 % on 2), 16 ran out of registers
            v.put("MRN", 12);
            v.put("LS", 4);
        }
        return new GemmTiles(v);
    }

    /**
     * What a tuner tries on this device, for the version the device runs: v4's rows per tile, vectors per row, rows
     * of narrow tiles and row blocks per work-group on a CPU device; v3's per-work-item block and k tile on a GPU
     * (its work-group is (TSM/WPTM) × (TSN/WPTN), so the block sizes also set the work-group size).
     */
    static Map<String, java.util.List<Integer>> space(DeviceInfo d) {
        Map<String, java.util.List<Integer>> s = new LinkedHashMap<>();
        if (d.isGpu()) {
            s.put("WPTM", java.util.List.of(2, 4, 8));
            s.put("WPTN", java.util.List.of(2, 4, 8));
            s.put("TSK", java.util.List.of(8, 16, 32));
        } else {
            s.put("MR", java.util.List.of(4, 6, 8, 10, 12));
            s.put("NV", java.util.List.of(1, 2, 3));
            s.put("MRN", java.util.List.of(8, 10, 12, 14, 16));
            s.put("LS", java.util.List.of(1, 2, 4, 8));
        }
        return s;
    }

    /** These tiles with the given values (null or empty: unchanged); unknown keys and values below 1 are an error. */
    GemmTiles with(Map<String, Integer> values) {
        if (values == null || values.isEmpty()) return this;
        Map<String, Integer> v = new LinkedHashMap<>(this.values);
        values.forEach((key, val) -> {
            if (!v.containsKey(key)) throw new IllegalArgumentException("unknown GEMM tile parameter '" + key + "': use one of " + v.keySet());
            if (val == null || val < 1 || val > 256) throw new IllegalArgumentException("GEMM tile " + key + "=" + val + " is not 1 … 256");
            v.put(key, val);
        });
        return new GemmTiles(v);
    }

    /** These tiles with {@code "KEY=V,KEY=V"} applied; unknown keys are an error. */
    GemmTiles with(String overrides) {
        if (overrides == null || overrides.isBlank()) return this;
        Map<String, Integer> v = new LinkedHashMap<>(values);
        for (String kv : overrides.split(",")) {
            String[] p = kv.trim().split("=");
            if (p.length != 2 || !v.containsKey(p[0].trim())) {
                throw new IllegalArgumentException("bad GEMM tile setting '" + kv + "': use KEY=VALUE with KEY in " + v.keySet());
            }
            v.put(p[0].trim(), Integer.parseInt(p[1].trim()));
        }
        return new GemmTiles(v);
    }

    int get(String key) {
        return values.get(key);
    }

    /** The {@code -D} options for gemm.cl. */
    String options() {
        StringBuilder sb = new StringBuilder();
        values.forEach((k, val) -> sb.append("-D").append(k).append('=').append(val).append(' '));
        return sb.toString().trim();
    }
}
