package pinkcnn.trainer.convert;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses JSON, and the JavaScript object literals that minifiers write (unquoted keys, {@code .5}, {@code !0} for true,
 * {@code !1} for false, {@code void 0}, single-quoted strings), into plain Java values: {@code Map<String, Object>}
 * (insertion-ordered), {@code List<Object>}, {@code String}, {@code Double}, {@code Boolean} and {@code null}.
 *
 * <p>TF.js model files are JSON; the ones packaged for bundlers (such as nsfwjs) are the same data written as a JS
 * expression. One small parser reads both.
 */
public final class JsLiteral {

    /** Deeper nesting is refused: TF.js models nest a dozen levels, and each level costs a stack frame. */
    static final int MAX_DEPTH = 1000;

    private final String text;
    private int pos;
    private int depth;

    private JsLiteral(String text, int start) {
        this.text = text;
        this.pos = start;
    }

    /** Parses a whole document: one value, then only whitespace. */
    public static Object parse(String text) {
        JsLiteral p = new JsLiteral(text, 0);
        Object value = p.value();
        p.skipSpace();
        if (p.pos != text.length()) throw p.error("unexpected text after the value");
        return value;
    }

    /**
     * Parses the one value that starts at {@code start} (leading whitespace skipped) and returns it with the index just
     * after it, for values embedded in JavaScript code.
     */
    public static Parsed parseAt(String text, int start) {
        JsLiteral p = new JsLiteral(text, start);
        Object value = p.value();
        return new Parsed(value, p.pos);
    }

    /** A value and the index just after it. */
    public record Parsed(Object value, int end) {}

    /** Thrown on malformed input; the message gives the character offset. */
    public static final class SyntaxError extends IllegalArgumentException {
        SyntaxError(String message) {
            super(message);
        }
    }

    // ---- typed access helpers used by the readers ----

    /** {@code obj[key]} as a map, or an error naming {@code what}. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> object(Object value, String what) {
        if (value instanceof Map) return (Map<String, Object>) value;
        throw new IllegalArgumentException(what + " is not an object");
    }

    @SuppressWarnings("unchecked")
    public static List<Object> array(Object value, String what) {
        if (value instanceof List) return (List<Object>) value;
        throw new IllegalArgumentException(what + " is not an array");
    }

    public static String string(Object value, String what) {
        if (value instanceof String) return (String) value;
        throw new IllegalArgumentException(what + " is not a string");
    }

    public static double number(Object value, String what) {
        if (value instanceof Double) return (Double) value;
        throw new IllegalArgumentException(what + " is not a number");
    }

    /** A JSON array of whole numbers as int[] (shapes). */
    public static int[] intArray(Object value, String what) {
        List<Object> list = array(value, what);
        int[] out = new int[list.size()];
        for (int i = 0; i < out.length; i++) {
            double d = number(list.get(i), what + "[" + i + "]");
            if (d != Math.rint(d) || d < 0 || d > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(what + "[" + i + "] is not a non-negative integer: " + d);
            }
            out[i] = (int) d;
        }
        return out;
    }

    // ---- the parser ----

    private Object value() {
        skipSpace();
        if (pos >= text.length()) throw error("unexpected end of text");
        char c = text.charAt(pos);
        switch (c) {
            case '{': {
                Map<String, Object> map = object();
                depth--;
                return map;
            }
            case '[': {
                List<Object> list = array();
                depth--;
                return list;
            }
            case '"':
            case '\'':
                return string();
            case '!':
                // Minified booleans: !0 is true, !1 is false.
                if (text.startsWith("!0", pos)) {
                    pos += 2;
                    return Boolean.TRUE;
                }
                if (text.startsWith("!1", pos)) {
                    pos += 2;
                    return Boolean.FALSE;
                }
                throw error("unsupported expression");
            default:
                if (c == '-' || c == '+' || c == '.' || (c >= '0' && c <= '9')) return number();
                String word = identifier();
                switch (word) {
                    case "true":
                        return Boolean.TRUE;
                    case "false":
                        return Boolean.FALSE;
                    case "null":
                        return null;
                    case "void":
                        skipSpace();
                        number();
                        return null;
                    case "NaN":
                        return Double.NaN;
                    case "Infinity":
                        return Double.POSITIVE_INFINITY;
                    default:
                        throw error(word.isEmpty() ? "unexpected character '" + c + "'" : "unsupported word '" + word + "'");
                }
        }
    }

    private Map<String, Object> object() {
        enter();
        Map<String, Object> map = new LinkedHashMap<>();
        pos++; // {
        skipSpace();
        if (peek() == '}') {
            pos++;
            return map;
        }
        while (true) {
            skipSpace();
            char c = peek();
            String key;
            if (c == '"' || c == '\'') {
                key = string();
            } else if (c >= '0' && c <= '9') {
                key = numberText();
            } else {
                key = identifier();
                if (key.isEmpty()) throw error("expected a key");
            }
            skipSpace();
            expect(':');
            map.put(key, value());
            skipSpace();
            char next = peek();
            pos++;
            if (next == '}') return map;
            if (next != ',') throw error("expected ',' or '}'", pos - 1);
            skipSpace();
            if (peek() == '}') { // trailing comma
                pos++;
                return map;
            }
        }
    }

    private List<Object> array() {
        enter();
        List<Object> list = new ArrayList<>();
        pos++; // [
        skipSpace();
        if (peek() == ']') {
            pos++;
            return list;
        }
        while (true) {
            list.add(value());
            skipSpace();
            char next = peek();
            pos++;
            if (next == ']') return list;
            if (next != ',') throw error("expected ',' or ']'", pos - 1);
            skipSpace();
            if (peek() == ']') {
                pos++;
                return list;
            }
        }
    }

    private String string() {
        char quote = text.charAt(pos++);
        StringBuilder sb = new StringBuilder();
        while (true) {
            if (pos >= text.length()) throw error("unterminated string");
            char c = text.charAt(pos++);
            if (c == quote) return sb.toString();
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            if (pos >= text.length()) throw error("unterminated string");
            char e = text.charAt(pos++);
            switch (e) {
                case 'n': sb.append('\n'); break;
                case 't': sb.append('\t'); break;
                case 'r': sb.append('\r'); break;
                case 'b': sb.append('\b'); break;
                case 'f': sb.append('\f'); break;
                case 'v': sb.append('\u000b'); break;
                case '0': sb.append('\0'); break;
                case 'x':
                    sb.append((char) Integer.parseInt(hex(2), 16));
                    break;
                case 'u':
                    sb.append((char) Integer.parseInt(hex(4), 16));
                    break;
                case '\n':
                    break; // line continuation
                default:
                    sb.append(e); // \" \' \\ \/ and any other escaped character stand for themselves
            }
        }
    }

    private String hex(int digits) {
        if (pos + digits > text.length()) throw error("truncated escape");
        String h = text.substring(pos, pos + digits);
        for (int i = 0; i < digits; i++) {
            if (Character.digit(h.charAt(i), 16) < 0) throw error("bad escape \\" + h);
        }
        pos += digits;
        return h;
    }

    private Double number() {
        int start = pos;
        String t = numberText();
        try {
            String unsigned = t.startsWith("-") || t.startsWith("+") ? t.substring(1) : t;
            if (unsigned.startsWith("0x") || unsigned.startsWith("0X")) {
                double v = Long.parseLong(unsigned.substring(2), 16);
                return t.startsWith("-") ? -v : v;
            }
            // Double.parseDouble rounds correctly, as JavaScript does, so the same text gives the same double.
            return Double.parseDouble(t);
        } catch (NumberFormatException e) {
            throw error("bad number '" + t + "'", start);
        }
    }

    private String numberText() {
        int start = pos;
        if (peek() == '-' || peek() == '+') pos++;
        boolean hex = text.startsWith("0x", pos) || text.startsWith("0X", pos);
        if (hex) pos += 2;
        while (pos < text.length()) {
            char c = text.charAt(pos);
            boolean part = hex ? Character.digit(c, 16) >= 0
                    : (c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E'
                    || ((c == '-' || c == '+') && (text.charAt(pos - 1) == 'e' || text.charAt(pos - 1) == 'E'));
            if (!part) break;
            pos++;
        }
        if (pos == start) throw error("expected a number");
        return text.substring(start, pos);
    }

    private String identifier() {
        int start = pos;
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (!(Character.isLetterOrDigit(c) || c == '_' || c == '$')) break;
            pos++;
        }
        return text.substring(start, pos);
    }

    private void enter() {
        if (++depth > MAX_DEPTH) throw error("nested deeper than " + MAX_DEPTH + " levels");
    }

    private void skipSpace() {
        while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) pos++;
    }

    private char peek() {
        if (pos >= text.length()) throw error("unexpected end of text");
        return text.charAt(pos);
    }

    private void expect(char c) {
        if (peek() != c) throw error("expected '" + c + "'");
        pos++;
    }

    private SyntaxError error(String what) {
        return error(what, pos);
    }

    private SyntaxError error(String what, int at) {
        return new SyntaxError(what + " at character " + at);
    }
}
