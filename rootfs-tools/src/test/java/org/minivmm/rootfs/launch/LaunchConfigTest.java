package org.minivmm.rootfs.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class LaunchConfigTest {
    private static LaunchConfig.Builder valid() {
        return LaunchConfig.builder().args("/bin/true").rootDevice("/dev/pmem1");
    }

    @Test
    void builderDefaultsAreTheFormatsDefaults() {
        LaunchConfig config = valid().build();

        assertEquals(List.of(), config.env());
        assertEquals("/", config.cwd());
        assertEquals("0", config.user());
        assertEquals(Optional.empty(), config.group());
        assertEquals(List.of(), config.supplementaryGids());
        assertEquals(Optional.empty(), config.hostname());
        assertEquals("ext4", config.rootFstype());
        assertEquals("dax", config.rootOptions());
        assertEquals(false, config.terminal());
        assertEquals(Optional.empty(), config.execDevice());
    }

    @Test
    void configKeepsItsOwnCopiesOfTheLists() {
        List<String> args = new ArrayList<>(List.of("/bin/true"));
        LaunchConfig.Builder builder = valid().args(args);
        LaunchConfig config = builder.build();

        args.add("changed");
        builder.env("LATE", "1");

        assertEquals(List.of("/bin/true"), config.args());
        assertEquals(List.of(), config.env());
        assertThrows(UnsupportedOperationException.class, () -> config.args().add("x"));
    }

    @Test
    void acceptsTheEdgesOfEachRule() {
        LaunchConfig config = valid()
                .args("", "")
                .env("KEY", "=")
                .user("4294967294")
                .group("0000000000004294967294")
                .supplementaryGids(List.of(0L, 4294967294L))
                .hostname("h".repeat(64))
                .rootOptions("")
                .build();

        assertEquals(List.of("KEY=="), config.env());
    }

    static Stream<Arguments> invalidConfigs() {
        return Stream.of(
                invalid("no arguments", b -> b.args(), "needs at least one argument"),
                invalid("NUL in an argument", b -> b.args("/bin/sh", "a\0b"), "args value \"a?b\" contains a NUL"),
                invalid("NUL in the environment", b -> b.env("KEY", "a\0b"), "env value \"KEY=a?b\" contains a NUL"),
                invalid("environment entry without =", b -> b.env(List.of("NO_EQUALS")), "must be KEY=VALUE"),
                invalid("environment entry with an empty key", b -> b.env("", "value"), "must be KEY=VALUE"),
                invalid("relative cwd", b -> b.cwd("srv/app"), "cwd \"srv/app\" must be an absolute path"),
                invalid("empty cwd", b -> b.cwd(""), "must be an absolute path"),
                invalid("NUL in cwd", b -> b.cwd("/a\0"), "cwd value"),
                invalid("empty user", b -> b.user(""), "user must not be empty"),
                invalid("uid too large", b -> b.user("4294967295"), "user 4294967295 is not a valid uid"),
                invalid("uid far too large", b -> b.user("99999999999999999999999"), "is not a valid uid"),
                invalid("NUL in user", b -> b.user("ro\0ot"), "user value"),
                invalid("empty group", b -> b.group(""), "group must not be empty"),
                invalid("gid too large", b -> b.group("4294967295"), "group 4294967295 is not a valid gid"),
                invalid("negative supplementary gid", b -> b.supplementaryGids(List.of(-1L)),
                        "supplementary gid -1 is not between 0 and 4294967294"),
                invalid("supplementary gid too large", b -> b.supplementaryGids(List.of(4294967295L)),
                        "supplementary gid 4294967295"),
                invalid("empty hostname", b -> b.hostname(""), "it must be 1 to 64"),
                invalid("hostname too long in UTF-8", b -> b.hostname("é".repeat(33)), "is 66 bytes in UTF-8"),
                invalid("NUL in hostname", b -> b.hostname("a\0"), "hostname value"),
                invalid("no root device", b -> b.rootDevice(null), "rootDevice is missing"),
                invalid("empty root device", b -> b.rootDevice(""), "rootDevice must not be empty"),
                invalid("empty root fstype", b -> b.rootFstype(""), "rootFstype must not be empty"),
                invalid("NUL in root options", b -> b.rootOptions("dax\0"), "rootOptions value"),
                invalid("relative stdio device", b -> b.stdio(new LaunchConfig.Stdio(Optional.of("hvc0"), Optional.empty(),
                        Optional.empty(), Optional.empty())), "stdio device \"hvc0\" must be an absolute path"),
                invalid("relative exec device", b -> b.execDevice("hvc3"), "exec device \"hvc3\" must be an absolute path"),
                invalid("unpaired surrogate", b -> b.args("\uD800"), "unpaired surrogate"));
    }

    private static Arguments invalid(String problem, UnaryOperator<LaunchConfig.Builder> change, String message) {
        return Arguments.of(problem, change, message);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidConfigs")
    void buildNamesTheProblem(String problem, UnaryOperator<LaunchConfig.Builder> change, String message) {
        IllegalArgumentException failure =
                assertThrows(IllegalArgumentException.class, () -> change.apply(valid()).build());

        assertTrue(failure.getMessage().contains(message), failure.getMessage());
    }
}
