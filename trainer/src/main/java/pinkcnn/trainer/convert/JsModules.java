package pinkcnn.trainer.convert;

import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the data inside a JavaScript module that wraps it (browserify/UMD bundles as npm packages ship model files:
 * {@code …a.exports={modelTopology:…}…} or {@code …h.exports="<base64>"…}), without running any JavaScript.
 */
final class JsModules {

    private static final Pattern ASSIGNMENT = Pattern.compile("exports\\s*=\\s*");

    private JsModules() {}

    /**
     * The first literal assigned to {@code exports} or {@code module.exports} that {@code accept} takes, or null.
     * Assignments of code (such as the UMD header's {@code module.exports=e()}) are passed over.
     */
    static Object exportedValue(String code, Predicate<Object> accept) {
        Matcher m = ASSIGNMENT.matcher(code);
        while (m.find()) {
            int at = m.end();
            if (at >= code.length()) break;
            char c = code.charAt(at);
            if (c != '{' && c != '[' && c != '"' && c != '\'') continue;
            try {
                Object value = JsLiteral.parseAt(code, at).value();
                if (accept.test(value)) return value;
            } catch (IllegalArgumentException notALiteral) {
                // an expression that merely starts like one; keep looking
            }
        }
        return null;
    }
}
