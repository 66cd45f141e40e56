package org.minivmm.rootfs.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {
    private static Object parse(String text) throws ImageBuildException {
        return Json.parse(text, "test.json");
    }

    @Test
    void readsEveryKindOfValue() throws Exception {
        Object value = parse(" {\"s\": \"x\", \"n\": -12.5e2, \"i\": 0, \"t\": true, \"f\": false, \"z\": null,"
                + " \"a\": [1, [], {}], \"o\": {\"k\": \"v\"}}\n");
        Map<?, ?> map = (Map<?, ?>) value;
        assertEquals(List.of("s", "n", "i", "t", "f", "z", "a", "o"), List.copyOf(map.keySet()), "document order");
        assertEquals("x", map.get("s"));
        assertEquals(new BigDecimal("-1250"), ((BigDecimal) map.get("n")).stripTrailingZeros().setScale(0));
        assertEquals(BigDecimal.ZERO, map.get("i"));
        assertEquals(true, map.get("t"));
        assertEquals(false, map.get("f"));
        assertTrue(map.containsKey("z"));
        assertNull(map.get("z"));
        assertEquals(List.of(BigDecimal.ONE, List.of(), Map.of()), map.get("a"));
        assertEquals(Map.of("k", "v"), map.get("o"));
        assertEquals("top", parse("\"top\""), "any value may be the document");
    }

    @Test
    void decodesEscapesAndSurrogatePairs() throws Exception {
        assertEquals("\"\\/\b\f\n\r\t\u00e9\u2603", parse("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00E9\\u2603\""));
        assertEquals("\uD83D\uDE00", parse("\"\\ud83d\\ude00\""), "an escaped pair is one emoji");
        assertEquals("\uD83D\uDE00", parse("\"\uD83D\uDE00\""), "a raw pair too");
    }

    @Test
    void refusesWhatRfc8259DoesNotAllow() {
        for (String bad : List.of("", " ", "{", "[1,]", "{\"a\":1,}", "[1 2]", "{\"a\" 1}", "{a:1}", "'x'",
                "01", "-", "1.", ".5", "1e", "+1", "0x10", "NaN", "Infinity", "tru", "nul", "\"\\x\"", "\"\\u12\"",
                "\"\\u12g4\"", "\"a\tb\"", "\"a\nb\"", "\"unterminated", "[] []", "{} x", "// comment\n1")) {
            assertThrows(ImageBuildException.class, () -> parse(bad), bad);
        }
    }

    @Test
    void refusesDuplicateKeysAndUnpairedSurrogates() {
        ImageBuildException duplicate = assertThrows(ImageBuildException.class, () -> parse("{\"a\":1,\"a\":2}"));
        assertTrue(duplicate.getMessage().contains("duplicate key \"a\""), duplicate.getMessage());
        for (String bad : List.of("\"\\ud83d\"", "\"\\ude00\"", "\"\\ud83dx\"", "\"\\ud83d\\u0041\"", "\"\uD83D\"")) {
            assertThrows(ImageBuildException.class, () -> parse(bad), bad);
        }
    }

    @Test
    void errorsSayWhereAndWhat() {
        ImageBuildException e = assertThrows(ImageBuildException.class, () -> parse("{\n  \"a\": tru\n}"));
        assertEquals("test.json is not valid JSON: unexpected character 't' at line 2, column 8", e.getMessage());
    }

    @Test
    void limitsNesting() throws Exception {
        int ok = Json.MAX_DEPTH;
        parse("[".repeat(ok) + "]".repeat(ok));
        String deep = "[".repeat(100_000) + "]".repeat(100_000);
        ImageBuildException e = assertThrows(ImageBuildException.class, () -> parse(deep));
        assertTrue(e.getMessage().contains("nested deeper"), e.getMessage());
    }

    @Test
    void refusesInvalidUtf8Documents() {
        byte[] latin1 = "{\"name\": \"caf\u00e9\"}".getBytes(StandardCharsets.ISO_8859_1);
        ImageBuildException e = assertThrows(ImageBuildException.class, () -> JsonObject.parse(latin1, "manifest"));
        assertEquals("manifest is not valid UTF-8", e.getMessage());
    }

    @Test
    void writesWhatItReads() throws Exception {
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("text", "quote \" backslash \\ newline \n control \u0001 snow \u2603 emoji \uD83D\uDE00");
        value.put("list", Arrays.asList(BigDecimal.valueOf(4294967294L), true, null, List.of()));
        value.put("nested", Map.of("k", "v"));
        String written = Json.write(value);
        assertEquals(value, parse(written));
        assertEquals("{\"a\":[1,\"\\u000a\"]}", Json.write(Map.of("a", List.of(1, "\n"))));
    }

    @Test
    void typedGettersNameTheField() throws Exception {
        JsonObject object = JsonObject.parse("{\"n\": \"x\", \"ids\": [1, -1], \"big\": 4294967295}"
                .getBytes(StandardCharsets.UTF_8), "config");
        assertEquals("config: \"n\" must be a list",
                assertThrows(ImageBuildException.class, () -> object.stringList("n")).getMessage());
        assertEquals("config: \"ids\" must be an integer from 0 to 4294967294",
                assertThrows(ImageBuildException.class, () -> object.idList("ids")).getMessage());
        assertEquals("config: \"big\" must be an integer from 0 to 4294967294",
                assertThrows(ImageBuildException.class, () -> object.id("big")).getMessage());
        assertEquals("config: \"missing\" is required",
                assertThrows(ImageBuildException.class, () -> object.string("missing")).getMessage());
        assertEquals(List.of(), object.stringList("missing"), "an absent list is empty");
    }
}
