package pinkcnn.benchmarks;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import pinkcnn.engine.backend.Backend;
import pinkcnn.engine.backend.KernelLab;

/**
 * Searches a kernel family's compile-time parameters ({@link KernelLab#tuningSpace}) on the device in use, as CLBlast's
 * tuner does, on the family's benchmark cases (GEMM: GEMM 1024³, MobileNetV2's 1×1 convolutions and stem; depthwise:
 * its three layers).
 *
 * <p>The search is one pass of coordinate descent from the device's defaults: each parameter in turn takes each of its
 * values while the others keep their best so far, and a value wins when the geometric mean over the cases of its time
 * ratio to the incumbent is below {@value #MARGIN}, so that noise alone does not move the parameters. The result is
 * timed against the defaults at the end and kept only if it is faster than them. Every candidate
 * first runs every case once on an output filled with NaN, and its result must agree with the family's reference
 * version (its first numbered one) before it is timed; a candidate that does not build, fails or disagrees is skipped.
 * Candidate and incumbent are timed alternately, sample after sample (device time of a short stream, as the bench
 * times kernels), and each case's ratio is the median of neighbouring samples: on a shared machine the two drift
 * together, while times measured one after the other would drift apart.
 */
public final class Tuner {
    /** A candidate must be at least this much faster (time ratio) than the incumbent to replace it. */
    static final double MARGIN = 0.98;
    /** Agreement with the reference kernel: |x − ref| ≤ TOLERANCE·max(1, max |ref|) for every element. */
    static final double TOLERANCE = 2e-4;

    /** One case's speedup of the tuned parameters over the defaults. */
    public record CaseSpeedup(@JsonProperty("shape") String shape, @JsonProperty("speedup") double speedup) {}

    /**
     * The outcome for one family: the defaults and the best parameters found, the geometric-mean speedup of the best
     * over the defaults (1 when the defaults stayed best) with each case's, and how many candidates were tried and
     * skipped as wrong or failing.
     */
    public record Result(@JsonProperty("family") String family, @JsonProperty("defaults") Map<String, Integer> defaults,
                         @JsonProperty("best") Map<String, Integer> best, @JsonProperty("speedup") double speedup,
                         @JsonProperty("cases") List<CaseSpeedup> cases, @JsonProperty("tried") int tried,
                         @JsonProperty("skipped") int skipped) {}

    private final Backend backend;
    private final KernelLab lab;
    private final KernelTimer timer;
    private final double minSeconds;
    private final Consumer<String> log;

    /**
     * @param minSeconds device time per side and case of each comparison (at least 5 alternating pairs)
     * @param log        receives one line per step (progress)
     */
    public Tuner(Backend backend, double minSeconds, Consumer<String> log) {
        if (!(backend instanceof KernelLab l) || l.tunableFamilies().isEmpty()) {
            throw new IllegalArgumentException(backend.name() + " has no tunable kernels");
        }
        this.backend = backend;
        this.lab = l;
        this.timer = LabBench.timer(backend);
        this.minSeconds = minSeconds;
        this.log = log;
    }

    /** The families the bench ops run on (gemm, conv1x1, conv3x3: GEMM; depthwise), or all tunable ones. */
    public static List<String> families(KernelLab lab, List<String> ops) {
        if (ops == null || ops.isEmpty()) return lab.tunableFamilies();
        List<String> out = new ArrayList<>();
        for (String op : ops) {
            String f = switch (op) {
                case "gemm", "conv1x1", "conv3x3" -> KernelLab.GEMM;
                case "depthwise" -> KernelLab.DEPTHWISE;
                default -> throw new IllegalArgumentException("--tune covers gemm, conv1x1, conv3x3 and depthwise, not '" + op + "'");
            };
            if (lab.tunableFamilies().contains(f) && !out.contains(f)) out.add(f);
        }
        return out;
    }

    /** The benchmark cases a family is tuned on. */
    static List<BenchCase> cases(KernelCases cases, String family) {
        List<BenchCase> out = new ArrayList<>();
        if (family.equals(KernelLab.GEMM)) {
            for (String op : List.of("gemm", "conv1x1", "conv3x3")) out.addAll(cases.cases(op));
        } else if (family.equals(KernelLab.DEPTHWISE)) {
            out.addAll(cases.cases("depthwise"));
        } else {
            throw new IllegalArgumentException("no benchmark cases for '" + family + "'");
        }
        return out;
    }

    /** Tunes {@code family} on {@code kernelCases}' cases and leaves the backend running the best parameters. */
    public Result tune(String family, KernelCases kernelCases) {
        List<BenchCase> cs = cases(kernelCases, family);
        Map<String, Integer> defaults = lab.defaultTuning(family);
        Map<String, List<Integer>> space = lab.tuningSpace(family);
        String reference = lab.versions(family).get(0);
        log.accept(String.format(Locale.ROOT, "%s: %d cases, %s %s; reference results from %s", family, cs.size(),
                lab.version(family), text(space), reference));
        List<float[]> refs = new ArrayList<>();
        lab.withVersion(family, reference, () -> {
            for (BenchCase c : cs) refs.add(result(c));
        });
        lab.useTuning(family, defaults);
        String wrong = check(cs, refs);
        if (wrong != null) throw new IllegalStateException(family + " with its default parameters disagrees with " + reference + ": " + wrong);
        Map<String, Integer> best = new LinkedHashMap<>(defaults);
        int tried = 0, skipped = 0;
        for (var p : space.entrySet()) {
            Map<String, Integer> bestHere = null;
            double bestRatio = MARGIN;
            for (int value : p.getValue()) {
                if (value == best.get(p.getKey())) continue;
                Map<String, Integer> cand = new LinkedHashMap<>(best);
                cand.put(p.getKey(), value);
                tried++;
                String label = family + " " + p.getKey() + "=" + value;
                try {
                    lab.useTuning(family, cand);
                    wrong = check(cs, refs);
                } catch (RuntimeException e) {
                    wrong = "failed: " + firstLine(e);
                }
                if (wrong != null) {
                    skipped++;
                    log.accept("  " + label + ": skipped, " + wrong);
                    continue;
                }
                double[] ratios = compare(family, cs, best, cand);
                double g = geomean(ratios);
                log.accept(String.format(Locale.ROOT, "  %-22s correct; time %.3f of %s=%d's (cases %s)", label + ":", g,
                        p.getKey(), best.get(p.getKey()), ratios(ratios)));
                if (g < bestRatio) {
                    bestRatio = g;
                    bestHere = cand;
                }
            }
            if (bestHere != null) best = bestHere;
        }
        List<CaseSpeedup> speedups = new ArrayList<>();
        double speedup = 1;
        if (!best.equals(defaults)) {
            double[] r = compare(family, cs, best, defaults); // time(defaults) / time(best)
            for (int i = 0; i < cs.size(); i++) speedups.add(new CaseSpeedup(cs.get(i).op() + " " + cs.get(i).shape(), r[i]));
            speedup = geomean(r);
            if (speedup <= 1) {
                // each step won against its incumbent, but the sum of the steps does not beat the defaults when
                // timed against them directly: noise, not a better kernel
                log.accept(String.format(Locale.ROOT, "  %s %s: %.3f times as fast as the defaults timed against them; "
                        + "keeping the defaults", family, text(best), speedup));
                best = new LinkedHashMap<>(defaults);
                speedups.clear();
                speedup = 1;
            }
        }
        lab.useTuning(family, best);
        return new Result(family, defaults, best, speedup, speedups, tried, skipped);
    }

    /** The case's output after one run on an output full of NaN (so that a kernel which writes nothing fails). */
    private float[] result(BenchCase c) {
        int n = Math.toIntExact(c.output().size());
        float[] nan = new float[n];
        Arrays.fill(nan, Float.NaN);
        backend.write(c.output(), 0, nan, 0, n);
        c.kernel().run();
        float[] out = new float[n];
        backend.read(c.output(), 0, out, 0, n);
        return out;
    }

    /** Null when every case agrees with the reference; else what went wrong where. */
    private String check(List<BenchCase> cs, List<float[]> refs) {
        for (int i = 0; i < cs.size(); i++) {
            float[] got = result(cs.get(i)), ref = refs.get(i);
            double max = 1;
            for (float v : ref) max = Math.max(max, Math.abs(v));
            double tol = TOLERANCE * max;
            for (int j = 0; j < ref.length; j++) {
                if (!(Math.abs(got[j] - ref[j]) <= tol)) {
                    return String.format(Locale.ROOT, "wrong result on %s %s: element %d is %s, the reference %s",
                            cs.get(i).op(), cs.get(i).shape(), j, got[j], ref[j]);
                }
            }
        }
        return null;
    }

    /** Per case, the median over alternating samples of time(b) / time(a). */
    private double[] compare(String family, List<BenchCase> cs, Map<String, Integer> a, Map<String, Integer> b) {
        double[] out = new double[cs.size()];
        for (int i = 0; i < cs.size(); i++) {
            Runnable k = cs.get(i).kernel();
            lab.useTuning(family, a);
            timer.timeMillis(k);
            lab.useTuning(family, b);
            timer.timeMillis(k);
            double[] ratios = new double[400];
            int n = 0;
            double ta = 0, tb = 0;
            while (n < ratios.length && (n < 5 || Math.min(ta, tb) < minSeconds * 1e3)) {
                lab.useTuning(family, a);
                double x = timer.timeMillis(k);
                lab.useTuning(family, b);
                double y = timer.timeMillis(k);
                ta += x;
                tb += y;
                ratios[n++] = y / x;
            }
            out[i] = BenchRunner.median(ratios, n);
        }
        return out;
    }

    static double geomean(double[] v) {
        double s = 0;
        for (double x : v) s += Math.log(x);
        return Math.exp(s / v.length);
    }

    private static String ratios(double[] r) {
        StringBuilder sb = new StringBuilder();
        for (double x : r) sb.append(sb.length() == 0 ? "" : " ").append(String.format(Locale.ROOT, "%.2f", x));
        return sb.toString();
    }

    /** "MR=8 NV=2" */
    public static String text(Map<String, ?> params) {
        StringBuilder sb = new StringBuilder();
        params.forEach((k, v) -> sb.append(sb.length() == 0 ? "" : " ").append(k).append('=').append(v));
        return sb.toString();
    }

    private static String firstLine(RuntimeException e) {
        String m = e.getMessage() == null ? e.toString() : e.getMessage();
        return m.lines().findFirst().orElse(m);
    }
}
