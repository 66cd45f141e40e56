package org.minivmm.rootfs.image;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A parsed JSON object with typed getters whose errors name the document and the field, so that a
 * bad manifest is reported as "ACI manifest: app.user must be a string", not as a ClassCastException.
 * A member that is absent and one that is null are treated alike: both mean "not given".
 */
final class JsonObject {
    /** The largest uid or gid: 2^32 - 1 is (uid_t) -1, which means "no change" to the kernel. */
    static final long MAX_ID = 0xFFFF_FFFEL;

    private final Map<String, Object> members;
    private final String what;

    private JsonObject(Map<String, Object> members, String what) {
        this.members = members;
        this.what = what;
    }

    /** Decodes strict UTF-8 (RFC 8259 section 8.1) and parses a document that must be an object. */
    static JsonObject parse(byte[] document, String what) throws ImageBuildException {
        return of(Json.parse(Utf8.decode(document, what), what), what);
    }

    static JsonObject of(Object value, String what) throws ImageBuildException {
        if (!(value instanceof Map)) {
            throw new ImageBuildException(what + " must be a JSON object");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> members = (Map<String, Object>) value;
        return new JsonObject(members, what);
    }

    String what() {
        return what;
    }

    boolean has(String key) {
        return members.get(key) != null;
    }

    String string(String key) throws ImageBuildException {
        return optionalString(key).orElseThrow(() -> missing(key));
    }

    Optional<String> optionalString(String key) throws ImageBuildException {
        Object value = members.get(key);
        if (value != null && !(value instanceof String)) {
            throw wrongType(key, "a string");
        }
        return Optional.ofNullable((String) value);
    }

    /** Requires the string member {@code key} to be {@code expected}, as a manifest's acKind must. */
    void requireValue(String key, String expected) throws ImageBuildException {
        String value = string(key);
        if (!value.equals(expected)) {
            throw invalid(key, "is \"" + value + "\", not \"" + expected + "\"");
        }
    }

    boolean optionalBoolean(String key, boolean absent) throws ImageBuildException {
        Object value = members.get(key);
        if (value != null && !(value instanceof Boolean)) {
            throw wrongType(key, "true or false");
        }
        return value == null ? absent : (Boolean) value;
    }

    /** A list of strings; absent or null is the empty list. */
    List<String> stringList(String key) throws ImageBuildException {
        List<String> strings = new ArrayList<>();
        for (Object element : list(key)) {
            if (!(element instanceof String)) {
                throw wrongType(key, "a list of strings");
            }
            strings.add((String) element);
        }
        return strings;
    }

    JsonObject object(String key) throws ImageBuildException {
        return optionalObject(key).orElseThrow(() -> missing(key));
    }

    Optional<JsonObject> optionalObject(String key) throws ImageBuildException {
        Object value = members.get(key);
        return value == null ? Optional.empty() : Optional.of(of(value, what + ": " + key));
    }

    /** A list of objects; absent or null is the empty list. */
    List<JsonObject> objectList(String key) throws ImageBuildException {
        List<JsonObject> objects = new ArrayList<>();
        List<Object> elements = list(key);
        for (int i = 0; i < elements.size(); i++) {
            objects.add(of(elements.get(i), what + ": " + key + "[" + i + "]"));
        }
        return objects;
    }

    long id(String key) throws ImageBuildException {
        if (!has(key)) {
            throw missing(key);
        }
        return toId(members.get(key), key);
    }

    /** A list of uids or gids; absent or null is the empty list. */
    List<Long> idList(String key) throws ImageBuildException {
        List<Long> ids = new ArrayList<>();
        for (Object element : list(key)) {
            ids.add(toId(element, key));
        }
        return ids;
    }

    long nonNegativeLong(String key) throws ImageBuildException {
        Object value = members.get(key);
        if (value == null) {
            throw missing(key);
        }
        try {
            long n = ((BigDecimal) value).longValueExact();
            if (n >= 0) {
                return n;
            }
        } catch (ClassCastException | ArithmeticException e) {
            // reported below
        }
        throw wrongType(key, "a non-negative integer");
    }

    private long toId(Object value, String key) throws ImageBuildException {
        try {
            long id = ((BigDecimal) value).longValueExact();
            if (id >= 0 && id <= MAX_ID) {
                return id;
            }
        } catch (ClassCastException | ArithmeticException e) {
            // reported below
        }
        throw wrongType(key, "an integer from 0 to " + MAX_ID);
    }

    @SuppressWarnings("unchecked")
    private List<Object> list(String key) throws ImageBuildException {
        Object value = members.get(key);
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof List)) {
            throw wrongType(key, "a list");
        }
        return (List<Object>) value;
    }

    ImageBuildException missing(String key) {
        return new ImageBuildException(what + ": \"" + key + "\" is required");
    }

    ImageBuildException wrongType(String key, String expected) {
        return new ImageBuildException(what + ": \"" + key + "\" must be " + expected);
    }

    ImageBuildException invalid(String key, String why) {
        return new ImageBuildException(what + ": \"" + key + "\" " + why);
    }
}
