package org.minivmm.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.minivmm.rootfs.image.AppConfig;
import org.minivmm.rootfs.launch.LaunchConfig;

class ContainerLaunchTest {
    private static final AppConfig IMAGE_APP = new AppConfig(List.of("/bin/server", "--port", "80"),
            List.of("PATH=/opt/bin:/bin", "GREETING=image", "LANG=C"), "/srv", "app", "staff", List.of(27L));

    private static ContainerOptions options(List<String> command, List<String> env, String workdir, String user, boolean tty) {
        return new ContainerOptions(Path.of("image.aci"), command, env, Optional.ofNullable(workdir), Optional.ofNullable(user),
                tty, "box", 128L << 20, 1, Optional.empty(), null, Duration.ofSeconds(10), false, Optional.empty(),
                Optional.empty(), true, false, Optional.empty(), Optional.empty());
    }

    private static LaunchConfig launch(ContainerOptions options) throws ContainerException {
        return ContainerLaunch.configFor(IMAGE_APP, options, "/dev/pmem1", LaunchConfig.Stdio.CONSOLE, Optional.empty());
    }

    @Test
    void theImageSettingsApplyWhenNothingOverridesThem() throws ContainerException {
        LaunchConfig config = launch(options(List.of(), List.of(), null, null, false));
        assertEquals(List.of("/bin/server", "--port", "80"), config.args());
        assertEquals(List.of("PATH=/opt/bin:/bin", "GREETING=image", "LANG=C"), config.env());
        assertEquals("/srv", config.cwd());
        assertEquals("app", config.user());
        assertEquals(Optional.of("staff"), config.group());
        assertEquals(List.of(27L), config.supplementaryGids());
        assertEquals(Optional.of("box"), config.hostname());
        assertEquals("/dev/pmem1", config.rootDevice());
    }

    @Test
    void theCommandLineOverridesTheImage() throws ContainerException {
        LaunchConfig config = launch(options(List.of("sh", "-c", "exit 3"), List.of("GREETING=cli", "NEW=1"), "/tmp", "root", false));
        assertEquals(List.of("sh", "-c", "exit 3"), config.args());
        assertEquals(List.of("PATH=/opt/bin:/bin", "LANG=C", "GREETING=cli", "NEW=1"), config.env());
        assertEquals("/tmp", config.cwd());
        assertEquals("root", config.user());
        assertEquals(Optional.empty(), config.group(), "a user alone takes that user's primary group");
        assertEquals(List.of(), config.supplementaryGids(), "the image's extra groups belong to the image's user");
    }

    @Test
    void userAndGroupComeApartAtTheColon() throws ContainerException {
        LaunchConfig config = launch(options(List.of(), List.of(), null, "1000:50", false));
        assertEquals("1000", config.user());
        assertEquals(Optional.of("50"), config.group());
    }

    @Test
    void aMalformedUserIsRefused() {
        for (String user : List.of(":50", "app:", "")) {
            ContainerException error = assertThrows(ContainerException.class, () -> launch(options(List.of(), List.of(), null, user, false)));
            assertTrue(error.getMessage().contains("--user takes USER or USER:GROUP"), error.getMessage());
        }
    }

    @Test
    void pathAndTermGetDockersDefaults() throws ContainerException {
        AppConfig bare = new AppConfig(List.of("/app"), List.of(), "/", "0", "", List.of());
        LaunchConfig config = ContainerLaunch.configFor(bare, options(List.of(), List.of(), null, null, true), "/dev/pmem1",
                LaunchConfig.Stdio.CONSOLE, Optional.empty());
        assertEquals(List.of(ContainerLaunch.DEFAULT_PATH, "TERM=xterm"), config.env());
        assertTrue(config.terminal());
        assertEquals(Optional.empty(), config.group(), "an empty group in the image means the user's own");
    }

    @Test
    void anExecDeviceIsPassedOn() throws ContainerException {
        LaunchConfig config = ContainerLaunch.configFor(IMAGE_APP, options(List.of(), List.of(), null, null, false),
                "/dev/pmem1", LaunchConfig.Stdio.CONSOLE, Optional.of("/dev/hvc3"));
        assertEquals(Optional.of("/dev/hvc3"), config.execDevice());
        assertEquals(Optional.empty(), launch(options(List.of(), List.of(), null, null, false)).execDevice());
    }

    @Test
    void anImageWithoutACommandNeedsOne() {
        AppConfig none = new AppConfig(List.of(), List.of(), "/", "0", "0", List.of());
        ContainerException error = assertThrows(ContainerException.class, () -> ContainerLaunch.configFor(none,
                options(List.of(), List.of(), null, null, false), "/dev/pmem1", LaunchConfig.Stdio.CONSOLE, Optional.empty()));
        assertTrue(error.getMessage().contains("names no command"), error.getMessage());
    }

    @Test
    void badEnvironmentEntriesAreRefusedByName() {
        ContainerException error = assertThrows(ContainerException.class,
                () -> launch(options(List.of(), List.of("=oops"), null, null, false)));
        assertEquals("--env entry '=oops' must be KEY=VALUE with a non-empty KEY", error.getMessage());
        error = assertThrows(ContainerException.class, () -> launch(options(List.of(), List.of("NOVALUE"), null, null, false)));
        assertTrue(error.getMessage().contains("'NOVALUE'"), error.getMessage());
    }

    @Test
    void aRelativeWorkdirIsRefused() {
        ContainerException error = assertThrows(ContainerException.class,
                () -> launch(options(List.of(), List.of(), "relative/dir", null, false)));
        assertTrue(error.getMessage().contains("absolute"), error.getMessage());
    }

    @Test
    void aReadOnlyRootKeepsDaxAndAddsRo() throws ContainerException {
        assertEquals("dax", launch(options(List.of(), List.of(), null, null, false)).rootOptions());
        ContainerOptions readOnly = options(List.of(), List.of(), null, null, false);
        readOnly = new ContainerOptions(readOnly.image(), readOnly.command(), readOnly.env(), readOnly.workdir(), readOnly.user(),
                false, "box", readOnly.ramBytes(), 1, Optional.empty(), null, readOnly.grace(), false, Optional.empty(),
                Optional.empty(), true, true, Optional.empty(), Optional.empty());
        assertEquals("dax,ro", launch(readOnly).rootOptions());
    }
}
