package org.minivmm.rootfs.image;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict JSON (RFC 8259) reader and a small writer, enough for image manifests and configs.
 * Objects become {@code Map<String, Object>} (in document order), arrays {@code List<Object>},
 * numbers {@link BigDecimal}, and {@code null} Java null. Anything RFC 8259 does not allow is
 * refused, and so are duplicate keys and unpaired surrogates, which it only discourages: a
 * manifest that two parsers could read differently is hostile input here.
 */
public final class Json {
    /** Deep enough for any real manifest, shallow enough that recursion cannot overflow the stack. */
    static final int MAX_DEPTH = 200;

    private final String text;
    private int pos;

    private Json(String text) {
        this.text = text;
    }

    /** Parses one JSON value; {@code what} names the document in error messages. */
    static Object parse(String text, String what) throws ImageBuildException {
        Json reader = new Json(text);
        try {
            reader.skipWhitespace();
            Object value = reader.value(0);
            reader.skipWhitespace();
            if (reader.pos != text.length()) {
                throw reader.error("unexpected text after the JSON value");
            }
            return value;
        } catch (SyntaxError e) {
            throw new ImageBuildException(what + " is not valid JSON: " + e.getMessage());
        }
    }

    /** Writes a value made of maps, lists, strings, numbers, booleans and null. */
    public static String write(Object value) {
        StringBuilder out = new StringBuilder();
        writeValue(value, out);
        return out.toString();
    }

    private Object value(int depth) throws SyntaxError {
        if (depth > MAX_DEPTH) {
            throw error("nested deeper than " + MAX_DEPTH + " levels");
        }
        if (pos >= text.length()) {
            throw error("unexpected end of text");
        }
        char c = text.charAt(pos);
        switch (c) {
            case '{':
                return object(depth);
            case '[':
                return array(depth);
            case '"':
                return string();
            case 't':
                return literal("true", Boolean.TRUE);
            case 'f':
                return literal("false", Boolean.FALSE);
            case 'n':
                return literal("null", null);
            default:
                if (c == '-' || (c >= '0' && c <= '9')) {
                    return number();
                }
                throw error("unexpected character " + describe(c));
        }
    }

    private Map<String, Object> object(int depth) throws SyntaxError {
        pos++;
        Map<String, Object> members = new LinkedHashMap<>();
        skipWhitespace();
        if (peek() == '}') {
            pos++;
            return members;
        }
        while (true) {
            skipWhitespace();
            if (peek() != '"') {
                throw error("expected a string key");
            }
            int keyAt = pos;
            String key = string();
            if (members.containsKey(key)) {
                pos = keyAt;
                throw error("duplicate key \"" + key + "\"");
            }
            skipWhitespace();
            expect(':');
            skipWhitespace();
            members.put(key, value(depth + 1));
            skipWhitespace();
            if (peek() == ',') {
                pos++;
            } else {
                expect('}');
                return members;
            }
        }
    }

    private List<Object> array(int depth) throws SyntaxError {
        pos++;
        List<Object> elements = new ArrayList<>();
        skipWhitespace();
        if (peek() == ']') {
            pos++;
            return elements;
        }
        while (true) {
            skipWhitespace();
            elements.add(value(depth + 1));
            skipWhitespace();
            if (peek() == ',') {
                pos++;
            } else {
                expect(']');
                return elements;
            }
        }
    }

    private String string() throws SyntaxError {
        pos++;
        StringBuilder out = new StringBuilder();
        while (true) {
            if (pos >= text.length()) {
                throw error("unterminated string");
            }
            char c = text.charAt(pos++);
            if (c == '"') {
                return out.toString();
            }
            if (c < 0x20) {
                pos--;
                throw error("control character " + describe(c) + " must be escaped in a string");
            }
            if (Character.isSurrogate(c)) {
                pos--;
                out.append(surrogatePair(c, false));
                continue;
            }
            if (c != '\\') {
                out.append(c);
                continue;
            }
            char escape = pos < text.length() ? text.charAt(pos++) : '\0';
            switch (escape) {
                case '"': out.append('"'); break;
                case '\\': out.append('\\'); break;
                case '/': out.append('/'); break;
                case 'b': out.append('\b'); break;
                case 'f': out.append('\f'); break;
                case 'n': out.append('\n'); break;
                case 'r': out.append('\r'); break;
                case 't': out.append('\t'); break;
                case 'u':
                    char unit = hexUnit();
                    if (Character.isSurrogate(unit)) {
                        out.append(surrogatePair(unit, true));
                    } else {
                        out.append(unit);
                    }
                    break;
                default:
                    pos--;
                    throw error("invalid escape \\" + describe(escape));
            }
        }
    }

    /**
     * A high surrogate must be followed by a low one, written the same way (both raw or both as
     * \\u escapes): an unpaired one is not a Unicode character and cannot be stored as UTF-8.
     */
    private String surrogatePair(char first, boolean escaped) throws SyntaxError {
        if (!escaped) {
            pos++;
        }
        if (Character.isHighSurrogate(first)) {
            char second = 0;
            if (escaped && text.startsWith("\\u", pos)) {
                pos += 2;
                second = hexUnit();
            } else if (!escaped && pos < text.length()) {
                second = text.charAt(pos++);
            }
            if (Character.isLowSurrogate(second)) {
                return new String(new char[] {first, second});
            }
        }
        throw error("unpaired UTF-16 surrogate");
    }

    private char hexUnit() throws SyntaxError {
        if (pos + 4 > text.length()) {
            throw error("truncated \\u escape");
        }
        int unit = 0;
        for (int i = 0; i < 4; i++) {
            int digit = Character.digit(text.charAt(pos), 16);
            if (digit < 0) {
                throw error("invalid hex digit in \\u escape");
            }
            unit = unit * 16 + digit;
            pos++;
        }
        return (char) unit;
    }

    private BigDecimal number() throws SyntaxError {
        int start = pos;
        if (peek() == '-') {
            pos++;
        }
        if (peek() == '0') {
            pos++;
            if (isDigit(peek())) {
                throw error("leading zero in a number");
            }
        } else {
            digits();
        }
        if (peek() == '.') {
            pos++;
            digits();
        }
        if (peek() == 'e' || peek() == 'E') {
            pos++;
            if (peek() == '+' || peek() == '-') {
                pos++;
            }
            digits();
        }
        try {
            return new BigDecimal(text.substring(start, pos));
        } catch (NumberFormatException e) {
            // Only an exponent beyond an int can get here.
            pos = start;
            throw error("number out of range");
        }
    }

    private void digits() throws SyntaxError {
        if (!isDigit(peek())) {
            throw error("expected a digit");
        }
        while (isDigit(peek())) {
            pos++;
        }
    }

    private Object literal(String word, Object value) throws SyntaxError {
        if (!text.startsWith(word, pos)) {
            throw error("unexpected character " + describe(text.charAt(pos)));
        }
        pos += word.length();
        return value;
    }

    private void skipWhitespace() {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return;
            }
            pos++;
        }
    }

    private void expect(char c) throws SyntaxError {
        if (peek() != c) {
            throw error(pos < text.length() ? "expected '" + c + "' but found " + describe(text.charAt(pos))
                    : "unexpected end of text");
        }
        pos++;
    }

    /** The character at the cursor, or NUL at the end (NUL can never be valid there anyway). */
    private char peek() {
        return pos < text.length() ? text.charAt(pos) : '\0';
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static String describe(char c) {
        return c >= 0x20 && c < 0x7f ? "'" + c + "'" : String.format("U+%04X", (int) c);
    }

    private SyntaxError error(String message) {
        int line = 1;
        int column = 1;
        for (int i = 0; i < Math.min(pos, text.length()); i++) {
            if (text.charAt(i) == '\n') {
                line++;
                column = 1;
            } else {
                column++;
            }
        }
        return new SyntaxError(message + " at line " + line + ", column " + column);
    }

    private static void writeValue(Object value, StringBuilder out) {
        if (value == null || value instanceof Boolean || value instanceof Number) {
            out.append(value);
        } else if (value instanceof String) {
            writeString((String) value, out);
        } else if (value instanceof Map) {
            out.append('{');
            String separator = "";
            for (Map.Entry<?, ?> member : ((Map<?, ?>) value).entrySet()) {
                out.append(separator);
                writeString((String) member.getKey(), out);
                out.append(':');
                writeValue(member.getValue(), out);
                separator = ",";
            }
            out.append('}');
        } else if (value instanceof List) {
            out.append('[');
            String separator = "";
            for (Object element : (List<?>) value) {
                out.append(separator);
                writeValue(element, out);
                separator = ",";
            }
            out.append(']');
        } else {
            throw new IllegalArgumentException("not a JSON value: " + value.getClass().getName());
        }
    }

    private static void writeString(String s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        out.append('"');
    }

    private static final class SyntaxError extends Exception {
        private static final long serialVersionUID = 1L;

        SyntaxError(String message) {
            super(message);
        }
    }
}
