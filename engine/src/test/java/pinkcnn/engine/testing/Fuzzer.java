package pinkcnn.engine.testing;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.opentest4j.AssertionFailedError;

/**
 * Seeded mutation fuzzing of a file reader: valid seed files are cut, bit-flipped, overwritten and given huge length
 * fields, and each mutant goes through the reader under a timeout. The only acceptable outcomes are a result the
 * caller's check accepts, or one of the reader's documented exceptions with a one-line message; anything else (an
 * unexpected exception, an error such as OutOfMemoryError, a hang) fails the test with the mutant saved under
 * {@code target/fuzz-failures} to replay.
 *
 * <p>Deterministic: the same seed gives the same mutants. Each run adds its count to {@link #counts()}, which the
 * fuzz tests print and docs/robustness.md quotes. {@code -Dfuzz.verbose=true} prints every refusal;
 * {@code -Dfuzz.survey=true} lists every problem instead of failing at the first.
 */
public final class Fuzzer {

    /** How long one input may take: generous for a loaded machine, far below what a hang looks like. */
    public static final Duration TIMEOUT = Duration.ofSeconds(5);

    /** Reader → {inputs, read correctly}. */
    private static final Map<String, int[]> COUNTS = new TreeMap<>();

    /** One mutated input: the bytes and how they were made (for the failure message). */
    public record Mutant(int index, String how, byte[] bytes) {}

    /** What the reader does with one mutant; returns normally for an accepted result. */
    @FunctionalInterface
    public interface Target {
        void read(Mutant mutant) throws Throwable;
    }

    /** Checks a documented exception beyond its type (e.g. that it names the file). Returns a problem, or null. */
    @FunctionalInterface
    public interface MessageCheck {
        String problem(Mutant mutant, Throwable refusal);
    }

    private final String reader;
    private final List<byte[]> seeds;
    private final Random random;
    private final List<Class<? extends Throwable>> documented = new ArrayList<>();
    private MessageCheck messageCheck = (m, e) -> null;
    private UnaryOperator<byte[]> finish = UnaryOperator.identity();
    private boolean text;

    private Fuzzer(String reader, List<byte[]> seeds, long seed) {
        if (seeds.isEmpty()) throw new IllegalArgumentException("no seed files");
        this.reader = reader;
        this.seeds = List.copyOf(seeds);
        this.random = new Random(seed);
    }

    /** A fuzzer of {@code reader} (the name printed with the count) starting from {@code seeds}. */
    public static Fuzzer of(String reader, List<byte[]> seeds, long seed) {
        return new Fuzzer(reader, seeds, seed);
    }

    /** The exception types the reader's contract allows. */
    @SafeVarargs
    public final Fuzzer refusals(Class<? extends Throwable>... types) {
        documented.addAll(Arrays.asList(types));
        return this;
    }

    /** An extra check of every documented refusal. */
    public Fuzzer messages(MessageCheck check) {
        this.messageCheck = check;
        return this;
    }

    /** Also mutate as text: numbers made huge or negative, characters dropped, lines doubled. */
    public Fuzzer text() {
        this.text = true;
        return this;
    }

    /** Applied to each mutant before it is read (e.g. gzip a mutated tar). */
    public Fuzzer finish(UnaryOperator<byte[]> f) {
        this.finish = f;
        return this;
    }

    /** The next {@code n} mutants, without running anything (for a CLI sample). */
    public List<Mutant> mutants(int n) {
        List<Mutant> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) out.add(next(i));
        return out;
    }

    /** Runs {@code n} mutants through {@code target}; returns n. */
    public int run(int n, Target target) {
        int accepted = 0;
        for (int i = 0; i < n; i++) if (check(next(i), target)) accepted++;
        count(reader, n, accepted);
        return n;
    }

    /**
     * Runs one mutant (from {@link #mutants}) through {@code target} with this fuzzer's contract: true when it was
     * read, false when it was refused as documented; a test failure otherwise.
     */
    public boolean check(Mutant m, Target target) {
        Throwable result;
        try {
            result = assertTimeoutPreemptively(TIMEOUT, () -> {
                try {
                    target.read(m);
                    return null;
                } catch (Throwable e) {
                    return e;
                }
            }, () -> reader + " input " + m.index() + " (" + m.how() + ") did not finish in " + TIMEOUT.toSeconds()
                    + " s; saved as " + save(m));
        } catch (OutOfMemoryError e) {
            result = e;
        } catch (AssertionFailedError timeout) {
            if (!Boolean.getBoolean("fuzz.survey")) throw timeout;
            System.out.println("fuzz: PROBLEM " + reader + " " + m.index() + ": " + timeout.getMessage());
            return false;
        }
        if (result == null) return true;
        Throwable outcome = result;
        if (Boolean.getBoolean("fuzz.verbose")) System.out.println("fuzz: " + reader + " " + m.index() + " refused: " + outcome);
        boolean allowed = documented.stream().anyMatch(t -> t.isInstance(outcome));
        String problem;
        if (!allowed) {
            problem = "undocumented " + outcome.getClass().getName();
        } else if (outcome.getMessage() == null || outcome.getMessage().isBlank()) {
            problem = "a refusal without a message";
        } else if (outcome.getMessage().contains("\n")) {
            problem = "a refusal of more than one line";
        } else {
            problem = messageCheck.problem(m, outcome);
        }
        if (problem != null && Boolean.getBoolean("fuzz.survey")) {   // list every problem instead of failing
            System.out.println("fuzz: PROBLEM " + reader + " " + m.index() + ": " + problem + ": " + outcome);
            return false;
        }
        if (problem != null) {
            StringWriter trace = new StringWriter();
            outcome.printStackTrace(new PrintWriter(trace));
            fail(reader + " input " + m.index() + " (" + m.how() + "): " + problem + ": " + outcome.getMessage()
                    + "\nsaved as " + save(m) + "\n" + trace);
        }
        return false;
    }

    /** Adds {@code n} inputs, {@code accepted} of them read correctly, to a reader's count (and prints it). */
    public static synchronized void count(String reader, int n, int accepted) {
        int[] c = COUNTS.computeIfAbsent(reader, k -> new int[2]);
        c[0] += n;
        c[1] += accepted;
        System.out.printf("fuzz: %-36s %4d inputs: %4d read, %4d refused%n", reader, n, accepted, n - accepted);
    }

    /** Inputs tried per reader in this JVM so far. */
    public static synchronized Map<String, Integer> counts() {
        Map<String, Integer> out = new TreeMap<>();
        COUNTS.forEach((k, v) -> out.put(k, v[0]));
        return out;
    }

    private Mutant next(int index) {
        byte[] seed = seeds.get(random.nextInt(seeds.size()));
        StringBuilder how = new StringBuilder("seed " + seeds.indexOf(seed));
        byte[] b = seed.clone();
        int ops = 1 + (random.nextInt(4) == 0 ? random.nextInt(3) : 0);
        for (int k = 0; k < ops; k++) b = mutate(b, how);
        return new Mutant(index, how.toString(), finish.apply(b));
    }

    private byte[] mutate(byte[] b, StringBuilder how) {
        if (b.length == 0) {
            how.append(", empty");
            return b;
        }
        int kinds = text ? 8 : 6;
        switch (random.nextInt(kinds)) {
            case 0 -> {
                int cut = random.nextInt(b.length);
                how.append(", cut at ").append(cut);
                return Arrays.copyOf(b, cut);
            }
            case 1 -> {
                int flips = 1 + random.nextInt(8);
                how.append(", ").append(flips).append(" bit flips at");
                for (int i = 0; i < flips; i++) {
                    int at = offset(b.length);
                    b[at] ^= (byte) (1 << random.nextInt(8));
                    how.append(' ').append(at);
                }
                return b;
            }
            case 2 -> {
                int at = offset(b.length), len = Math.min(b.length - at, 1 + random.nextInt(32));
                int fill = random.nextInt(3);
                how.append(", ").append(len).append(" bytes at ").append(at).append(" set to ")
                        .append(fill == 0 ? "0x00" : fill == 1 ? "0xFF" : "random");
                for (int i = 0; i < len; i++) b[at + i] = (byte) (fill == 0 ? 0 : fill == 1 ? 0xFF : random.nextInt(256));
                return b;
            }
            case 3 -> {
                // A length, count or address field made huge (or negative), in either byte order.
                long[] values = {0x7FFFFFFFL, 0xFFFFFFFFL, 0x80000000L, 0x40000000L, 0x10000000L, 0xFFFFFFFFFFFFL,
                    Long.MAX_VALUE, -1L, 0x1000000L};
                long v = values[random.nextInt(values.length)];
                int width = random.nextBoolean() ? 4 : 8;
                int at = offset(Math.max(1, b.length - width + 1));
                boolean little = random.nextBoolean();
                how.append(", ").append(width).append("-byte ").append(little ? "LE " : "BE ").append(Long.toHexString(v))
                        .append(" at ").append(at);
                for (int i = 0; i < width && at + i < b.length; i++) {
                    int shift = 8 * (little ? i : width - 1 - i);
                    b[at + i] = (byte) (v >>> shift);
                }
                return b;
            }
            case 4 -> {
                int from = random.nextInt(b.length), len = Math.min(b.length - from, 1 + random.nextInt(64));
                int at = random.nextInt(b.length + 1);
                how.append(", ").append(len).append(" bytes from ").append(from).append(" inserted at ").append(at);
                byte[] out = new byte[b.length + len];
                System.arraycopy(b, 0, out, 0, at);
                System.arraycopy(b, from, out, at, len);
                System.arraycopy(b, at, out, at + len, b.length - at);
                return out;
            }
            case 5 -> {
                int at = random.nextInt(b.length), len = Math.min(b.length - at, 1 + random.nextInt(64));
                how.append(", ").append(len).append(" bytes removed at ").append(at);
                byte[] out = new byte[b.length - len];
                System.arraycopy(b, 0, out, 0, at);
                System.arraycopy(b, at + len, out, at, b.length - at - len);
                return out;
            }
            case 6 -> {
                String s = new String(b, StandardCharsets.ISO_8859_1);
                Matcher m = Pattern.compile("-?\\d+(\\.\\d+)?").matcher(s);
                List<int[]> numbers = new ArrayList<>();
                while (m.find()) numbers.add(new int[] {m.start(), m.end()});
                if (numbers.isEmpty()) return mutate(b, how);
                int[] n = numbers.get(random.nextInt(numbers.size()));
                String[] values = {"99999999999", "2147483647", "-1", "0", "1e308", "-2147483648", "4294967296", "NaN", ""};
                String v = values[random.nextInt(values.length)];
                how.append(", number at ").append(n[0]).append(" set to '").append(v).append('\'');
                return (s.substring(0, n[0]) + v + s.substring(n[1])).getBytes(StandardCharsets.ISO_8859_1);
            }
            default -> {
                String s = new String(b, StandardCharsets.ISO_8859_1);
                List<String> lines = new ArrayList<>(Arrays.asList(s.split("\n", -1)));
                int i = random.nextInt(lines.size());
                if (random.nextBoolean()) {
                    how.append(", line ").append(i).append(" doubled");
                    lines.add(i, lines.get(i));
                } else {
                    String[] tokens = {",", "\"", "{", "}", "[", "]", ":", "\\", "\r", "\u00e9", "\u0000"};
                    String t = tokens[random.nextInt(tokens.length)];
                    String line = lines.get(i);
                    int at = random.nextInt(line.length() + 1);
                    how.append(", '").append(t.replace("\u0000", "\\0").replace("\r", "\\r")).append("' inserted in line ").append(i);
                    lines.set(i, line.substring(0, at) + t + line.substring(at));
                }
                return String.join("\n", lines).getBytes(StandardCharsets.ISO_8859_1);
            }
        }
    }

    /** A quarter of the offsets fall in the first 64 bytes and another quarter in the first 4 KiB: the headers. */
    private int offset(int length) {
        return switch (random.nextInt(4)) {
            case 0 -> random.nextInt(Math.min(length, 64));
            case 1 -> random.nextInt(Math.min(length, 4096));
            default -> random.nextInt(length);
        };
    }

    private String save(Mutant m) {
        try {
            Path dir = Files.createDirectories(Path.of("target", "fuzz-failures"));
            Path f = dir.resolve(reader.replaceAll("[^A-Za-z0-9.-]", "_") + "-" + m.index() + ".bin");
            Files.write(f, m.bytes());
            return f.toAbsolutePath().toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
