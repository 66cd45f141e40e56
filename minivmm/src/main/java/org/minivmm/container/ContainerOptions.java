package org.minivmm.container;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.minivmm.rootfs.image.AppConfig;

/**
 * What {@code minivmm run IMAGE} was asked for.
 *
 * @param image an ACI, OCI image layout or archive, OCI runtime bundle, or root filesystem directory or tar
 * @param command replaces the image's command when not empty
 * @param env "KEY=VALUE" entries that override the image's
 * @param workdir replaces the image's working directory
 * @param user "USER[:GROUP]", names or numbers, replacing the image's
 * @param tty whether the app gets a terminal (this one, raw) instead of pipes
 * @param kernel the guest kernel; empty: the one the project builds
 * @param timeout stop the container after this long; null: never
 * @param grace how long the app has to exit after a forwarded SIGTERM or SIGINT before the VM is stopped
 * @param debug whether the guest kernel's boot messages are shown
 * @param extraKernelArguments added to the end of the kernel command line
 * @param app replaces the image's whole launch configuration (rkt's stage1 has it from the pod manifest)
 * @param forwardInput whether this process's standard input goes to the app; otherwise the app's ends at once
 * @param readOnlyRoot whether the container's root file system is mounted read-only
 * @param runtimeImage the runtime image (the init) to boot; empty: the image store's
 * @param execSocket where to listen, as a UNIX-domain socket, for commands to run in the container while it runs
 *     ({@link ExecClient}); empty: none
 */
public record ContainerOptions(Path image, List<String> command, List<String> env, Optional<String> workdir,
        Optional<String> user, boolean tty, String hostname, long ramBytes, int cpus, Optional<Path> kernel,
        Duration timeout, Duration grace, boolean debug, Optional<String> extraKernelArguments,
        Optional<AppConfig> app, boolean forwardInput, boolean readOnlyRoot, Optional<Path> runtimeImage,
        Optional<Path> execSocket) {
    public ContainerOptions {
        command = List.copyOf(command);
        env = List.copyOf(env);
    }
}
