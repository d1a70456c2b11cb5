package pinkcnn.trainer.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsLiteralTest {

    @Test
    void parsesJson() {
        Object v = JsLiteral.parse("{\"a\": [1, 2.5, -3e-2, true, false, null], \"b\": {\"c\": \"x\\\"y\\u00e9\\n\"}}");
        Map<String, Object> m = JsLiteral.object(v, "root");
        assertEquals(List.of(1.0, 2.5, -0.03, true, false), JsLiteral.array(m.get("a"), "a").subList(0, 5));
        assertNull(JsLiteral.array(m.get("a"), "a").get(5));
        assertEquals("x\"yé\n", JsLiteral.object(m.get("b"), "b").get("c"));
        assertEquals(List.of("a", "b"), List.copyOf(m.keySet()), "keys keep their order");
    }

    @Test
    void parsesMinifiedJavaScriptLiterals() {
        Object v = JsLiteral.parse("{keras_version:\"2.2.4\",sparse:!1,trainable:!0,seed:null,x:void 0,"
                + "quantization:{min:-.87334511607301,scale:.006666756611244351,dtype:'uint8'},"
                + "shape:[3,3,3,32,],$odd_key1:0x1F,2:-1}");
        Map<String, Object> m = JsLiteral.object(v, "root");
        assertEquals(false, m.get("sparse"));
        assertEquals(true, m.get("trainable"));
        assertTrue(m.containsKey("x") && m.get("x") == null);
        Map<String, Object> q = JsLiteral.object(m.get("quantization"), "q");
        // The same double JavaScript reads from this text.
        assertEquals(-0.87334511607301, (Double) q.get("min"), 0.0);
        assertEquals(0.006666756611244351, (Double) q.get("scale"), 0.0);
        assertEquals("uint8", q.get("dtype"));
        assertEquals("[3, 3, 3, 32]", Arrays.toString(JsLiteral.intArray(m.get("shape"), "shape")));
        assertEquals(31.0, m.get("$odd_key1"));
        assertEquals(-1.0, m.get("2"));
    }

    @Test
    void parsesAValueEmbeddedInCode() {
        String code = "function(e,a,n){a.exports={w:[1,2]}},{}]";
        int at = code.indexOf('{', code.indexOf("exports="));
        JsLiteral.Parsed p = JsLiteral.parseAt(code, at);
        assertEquals(Map.of("w", List.of(1.0, 2.0)), p.value());
        assertEquals('}', code.charAt(p.end()));
    }

    @Test
    void reportsWhereTheSyntaxIsWrong() {
        JsLiteral.SyntaxError e = assertThrows(JsLiteral.SyntaxError.class, () -> JsLiteral.parse("{\"a\": [1, 2}"));
        assertTrue(e.getMessage().contains("at character 11"), e.getMessage());
        assertThrows(JsLiteral.SyntaxError.class, () -> JsLiteral.parse("{\"a\": \"open"));
        assertThrows(JsLiteral.SyntaxError.class, () -> JsLiteral.parse("{a: f()}"));
        assertThrows(JsLiteral.SyntaxError.class, () -> JsLiteral.parse("[1] 2"));
        assertThrows(JsLiteral.SyntaxError.class, () -> JsLiteral.parse(""));
        assertThrows(IllegalArgumentException.class, () -> JsLiteral.intArray(JsLiteral.parse("[1.5]"), "shape"));
    }
}
