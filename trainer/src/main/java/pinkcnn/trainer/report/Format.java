package pinkcnn.trainer.report;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Locale;

/** How figures are shown to people: accuracies as percentages, F1 and losses with three decimals, "—" when unknown. */
final class Format {

    static final String UNKNOWN = "—";

    private Format() {
    }

    /** 0.4134 → "41.3 %". */
    static String percent(double fraction) {
        return Double.isFinite(fraction) ? String.format(Locale.ROOT, "%.1f %%", 100 * fraction) : UNKNOWN;
    }

    /** 0.41234 → "0.412". */
    static String decimal3(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.3f", v) : UNKNOWN;
    }

    /** Seconds as "12.3 s", or "4 min 05 s" from a minute on. */
    static String duration(double seconds) {
        if (!Double.isFinite(seconds)) return UNKNOWN;
        if (seconds < 60) return String.format(Locale.ROOT, "%.1f s", seconds);
        long s = Math.round(seconds);
        if (s < 3600) return String.format(Locale.ROOT, "%d min %02d s", s / 60, s % 60);
        return String.format(Locale.ROOT, "%d h %02d min", s / 3600, (s % 3600) / 60);
    }

    /** The shortest plain form of a number with at most 6 significant digits: 0.001, 3.0E-4 → "0.0003", 20. */
    static String number(double v) {
        if (!Double.isFinite(v)) return Double.isNaN(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity";
        if (v == 0) return "0";
        return new BigDecimal(v).round(new MathContext(6)).stripTrailingZeros().toPlainString();
    }
}
