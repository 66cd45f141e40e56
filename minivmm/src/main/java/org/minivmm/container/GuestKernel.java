package org.minivmm.container;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Which kernel a container boots: the one given, else $MINIVMM_KERNEL, else the one the project builds and caches. */
public final class GuestKernel {
    static final String ENVIRONMENT = "MINIVMM_KERNEL";
    /** Set by scripts/minivmm to the checkout, where kernel-config/build-kernel lives. */
    public static final String HOME_PROPERTY = "minivmm.home";

    private GuestKernel() {
    }

    public static Path locate(Optional<Path> given) throws ContainerException {
        if (given.isPresent()) {
            return given.get();
        }
        String fromEnvironment = System.getenv(ENVIRONMENT);
        if (fromEnvironment != null && !fromEnvironment.isEmpty()) {
            return Path.of(fromEnvironment);
        }
        String home = System.getProperty(HOME_PROPERTY);
        Path script = home == null ? null : Path.of(home, "kernel-config", "build-kernel");
        if (script == null || !Files.isExecutable(script)) {
            throw new ContainerException("no guest kernel: give --kernel FILE or set " + ENVIRONMENT
                    + ", or start minivmm through scripts/minivmm in its checkout, which builds one");
        }
        return build(script);
    }

    /** Runs build-kernel, which returns the cached vmlinux at once or builds it with progress on stderr. */
    private static Path build(Path script) throws ContainerException {
        try {
            Process process = new ProcessBuilder(script.toString())
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            int status = process.waitFor();
            if (status != 0 || output.isEmpty()) {
                throw new ContainerException("building the guest kernel with " + script + " failed (exit status " + status
                        + "); its messages are above");
            }
            return Path.of(output);
        } catch (IOException e) {
            throw new ContainerException("cannot run " + script + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ContainerException("interrupted while building the guest kernel");
        }
    }
}
