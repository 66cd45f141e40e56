package org.minivmm.abi;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the ABI tests share: the values of C expressions as gcc computes them against the host's
 * headers, and the constants a Java class declares, to compare the two.
 */
public final class CHeaderValues {
    private CHeaderValues() {
    }

    /** Compiles and runs a program that prints each expression (name → C expression) after {@code includes}. */
    public static Map<String, Long> compute(Path work, List<String> includes, Map<String, String> expressions)
            throws IOException, InterruptedException {
        StringBuilder source = new StringBuilder("#define _GNU_SOURCE\n#include <stddef.h>\n#include <stdio.h>\n");
        includes.forEach(include -> source.append("#include <").append(include).append(">\n"));
        source.append("int main(void) {\n");
        expressions.forEach((name, expression) ->
                source.append("  printf(\"%s %llu\\n\", \"").append(name).append("\", (unsigned long long)(").append(expression).append("));\n"));
        source.append("  return 0;\n}\n");
        Path c = work.resolve("abi.c");
        Path binary = work.resolve("abi");
        Files.writeString(c, source);
        run(work, "gcc", "-o", binary.toString(), c.toString());
        Map<String, Long> values = new HashMap<>();
        for (String line : run(work, binary.toString()).split("\n")) {
            String[] parts = line.split(" ");
            values.put(parts[0], Long.parseUnsignedLong(parts[1]));
        }
        return values;
    }

    /** The static final, non-private numeric fields of {@code holder}, by name. */
    public static Map<String, Long> javaConstants(Class<?> holder) throws IllegalAccessException {
        Map<String, Long> constants = new HashMap<>();
        for (Field field : holder.getDeclaredFields()) {
            int modifiers = field.getModifiers();
            if (Modifier.isStatic(modifiers) && Modifier.isFinal(modifiers) && !Modifier.isPrivate(modifiers)) {
                field.setAccessible(true);
                constants.put(field.getName(), ((Number) field.get(null)).longValue());
            }
        }
        return constants;
    }

    private static String run(Path directory, String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, process.waitFor(), () -> String.join(" ", command) + " failed:\n" + output);
        return output;
    }
}
