package org.minivmm.rootfs.launch;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.IntStream;

/**
 * The launch configs shared with the init's C tests: each is committed as NAME.bin (what
 * {@link LaunchConfigWriter} writes) and NAME.expected (how the init must decode it) in
 * rootfs-tools/src/test/resources/launch. {@link LaunchConfigVectorsTest} checks that the committed files are
 * still what this class makes; the init's {@code make test} decodes them. To remake them after a change:
 * <pre>
 * mvn -q -pl rootfs-tools test-compile
 * java -cp rootfs-tools/target/classes:rootfs-tools/target/test-classes \
 *     org.minivmm.rootfs.launch.LaunchConfigVectors rootfs-tools/src/test/resources/launch
 * </pre>
 */
public final class LaunchConfigVectors {
    public static final String REMAKE_HINT = "remake them with the main of " + LaunchConfigVectors.class.getName();

    private LaunchConfigVectors() {
    }

    /** By name. */
    public static Map<String, LaunchConfig> all() {
        Map<String, LaunchConfig> vectors = new TreeMap<>();
        vectors.put("minimal", LaunchConfig.builder().args("/bin/true").rootDevice("/dev/pmem1").build());
        vectors.put("every-field", LaunchConfig.builder()
                .args("/usr/bin/env", "printf", "%s\\n", "h\u00e9llo w\u00f6rld \u2713", "tab\there", "line\nbreak",
                        "quote\" backslash\\", "")
                .env("PATH", "/opt/app/bin:/usr/bin:/bin").env("LANG", "C.UTF-8").env("EMPTY", "")
                .env("EQUALS", "a=b=c")
                .cwd("/srv/app")
                .user("app")
                .group("staff")
                .supplementaryGids(List.of(10L, 27L, 4294967294L))
                .hostname("box-1")
                .rootDevice("/dev/pmem1")
                .rootFstype("ext4")
                .rootOptions("dax,noatime")
                .terminal(true)
                .stdio(new LaunchConfig.Stdio(Optional.of("/dev/hvc0"), Optional.of("/dev/hvc0"),
                        Optional.of("/dev/hvc1"), Optional.of("/dev/hvc2")))
                .execDevice("/dev/hvc3")
                .build());
        vectors.put("numeric-identity", LaunchConfig.builder()
                .args("sleep", "1")
                .user("1000")
                .group("1000")
                .rootDevice("/dev/vdb")
                .rootFstype("xfs")
                .rootOptions("")
                .build());
        vectors.put("large-environment", LaunchConfig.builder()
                .args("/bin/sh", "-c", "env | wc -l")
                .env(IntStream.range(0, 400).mapToObj(i -> String.format("VARIABLE_%04d=value %04d of a long environment", i, i)).toList())
                .rootDevice("/dev/pmem1")
                .build());
        return vectors;
    }

    /**
     * The decoding as text, one field a line, as the init's tests/config_text.c prints it: values quoted, with
     * '"', '\' and every byte outside printable ASCII written as \xHH.
     */
    public static String expectedText(LaunchConfig config) {
        StringBuilder text = new StringBuilder();
        config.args().forEach(arg -> line(text, "arg", quoted(arg)));
        config.env().forEach(entry -> line(text, "env", quoted(entry)));
        line(text, "cwd", quoted(config.cwd()));
        line(text, "user", quoted(config.user()));
        line(text, "group", quotedOr(config.group(), "(default)"));
        config.supplementaryGids().forEach(gid -> line(text, "supplementary-gid", gid.toString()));
        line(text, "hostname", quotedOr(config.hostname(), "(unset)"));
        line(text, "root-device", quoted(config.rootDevice()));
        line(text, "root-fstype", quoted(config.rootFstype()));
        line(text, "root-options", quoted(config.rootOptions()));
        line(text, "terminal", config.terminal() ? "yes" : "no");
        line(text, "stdin-device", quotedOr(config.stdio().stdin(), "(console)"));
        line(text, "stdout-device", quotedOr(config.stdio().stdout(), "(console)"));
        line(text, "stderr-device", quotedOr(config.stdio().stderr(), "(console)"));
        line(text, "control-device", quotedOr(config.stdio().control(), "(none)"));
        line(text, "exec-device", quotedOr(config.execDevice(), "(none)"));
        return text.toString();
    }

    private static void line(StringBuilder text, String field, String value) {
        text.append(field).append(' ').append(value).append('\n');
    }

    private static String quotedOr(Optional<String> value, String absent) {
        return value.map(LaunchConfigVectors::quoted).orElse(absent);
    }

    private static String quoted(String value) {
        StringBuilder quoted = new StringBuilder("\"");
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
                quoted.append(String.format("\\x%02x", c));
            } else {
                quoted.append((char) c);
            }
        }
        return quoted.append('"').toString();
    }

    /** Writes every vector into the folder given as the only argument. */
    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: LaunchConfigVectors FOLDER");
            System.exit(2);
        }
        Path folder = Path.of(args[0]);
        Files.createDirectories(folder);
        for (Map.Entry<String, LaunchConfig> vector : all().entrySet()) {
            LaunchConfigWriter.write(vector.getValue(), folder.resolve(vector.getKey() + ".bin"));
            Files.writeString(folder.resolve(vector.getKey() + ".expected"), expectedText(vector.getValue()));
        }
    }
}
