package org.minivmm.stage1;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.minivmm.container.ContainerOptions;
import org.minivmm.container.ContainerRunner;
import org.minivmm.host.Terminal;
import org.minivmm.rootfs.image.AciApp;
import org.minivmm.rootfs.image.ImageBuildException;
import org.minivmm.rootfs.image.PodManifest;
import org.minivmm.rootfs.image.ResourceLimits;
import org.minivmm.vmm.Log;

/**
 * rkt's run entrypoint: the pod's one app in its own VM, booted as {@code minivmm run} boots a
 * container, with the app's settings from the pod manifest (or its image's), the VM sized by its
 * isolators, and rkt's contract kept: the pod lock held while it runs, {@code pid} written, the
 * app's exit status in {@code rkt/status/APP} and as this process's own exit code.
 */
public final class Stage1Run {
    /** Without a memory isolator: what {@code minivmm run} gives. */
    static final long DEFAULT_RAM = 128L << 20;
    /** Added to an app's memory limit for the guest kernel and init (they use about 11 MiB; see the README). */
    static final long GUEST_OVERHEAD = 32L << 20;
    static final long RAM_ALIGNMENT = 2L << 20;
    static final long MAX_RAM = 1L << 40;
    static final Duration GRACE = Duration.ofSeconds(10);

    /**
     * What stage0 asked for.
     *
     * @param uuid the pod's UUID, the name of its directory
     * @param net the networks of --net; only "none" is supported
     * @param hostname --hostname; empty: "rkt-UUID"
     * @param ignored the options given that minivmm does not act on, each with why
     */
    public record Request(Path podDirectory, String uuid, boolean debug, boolean interactive, String net, Optional<String> hostname,
            List<String> ignored, String lockDescriptor) {
    }

    private Stage1Run() {
    }

    public static int run(Request request) {
        try {
            return runPod(request);
        } catch (Stage1Exception | IOException e) {
            Log.error(e.getMessage());
            return ContainerRunner.VMM_FAILURE;
        }
    }

    private static int runPod(Request request) throws Stage1Exception, IOException {
        Pod pod = Pod.open(request.podDirectory(), request.uuid());
        PodLock.verify(request.lockDescriptor(), pod.directory());
        request.ignored().forEach(Log::warn);
        if (!request.net().equals("none")) {
            throw new Stage1Exception("--net=" + request.net() + ": minivmm's pods have no network yet (virtio-net"
                    + " serves bare kernels, not containers); run the pod with --net=none");
        }
        PodManifest manifest = pod.manifest();
        if (manifest.apps().size() != 1) {
            throw new Stage1Exception("the pod has " + manifest.apps().size() + " apps ("
                    + String.join(", ", manifest.appNames())
                    + "); minivmm's stage1 runs pods of one app: run each app as a pod of its own");
        }
        PodManifest.App app = manifest.apps().get(0);
        AciApp settings = appSettings(pod, app);
        checkMounts(manifest, app);
        settings.otherIsolators().forEach(name -> Log.warn("app " + app.name() + ": isolator " + name
                + " is not applied; the app's VM is its boundary"));
        manifest.otherIsolators().forEach(name -> Log.warn("pod isolator " + name + " is not applied; the app's VM is its boundary"));
        settings.eventHandlers().forEach(name -> Log.warn("app " + app.name() + ": event handler " + name + " will not run"));
        ResourceLimits limits = settings.limits().orElse(manifest.limits());

        // The exec socket's directory: rkt's pod directories are root's alone, and so is this.
        Files.createDirectories(pod.stateDirectory(), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Pod.writeAtomically(pod.pidFile(), ProcessHandle.current().pid() + "\n");
        ContainerOptions options = new ContainerOptions(pod.appDirectory(app.name()).resolve("rootfs"), List.of(),
                List.of("AC_APP_NAME=" + app.name()), Optional.empty(), Optional.empty(),
                request.interactive() && Terminal.stdinIsTerminal(), request.hostname().orElse("rkt-" + pod.uuid()),
                ramBytes(limits), cpus(limits), present(pod.payload("vmlinux")), null, GRACE, request.debug(),
                Optional.empty(), Optional.of(settings.config()), request.interactive(), app.readOnlyRootFs(),
                present(pod.payload("runtime.ext4")), Optional.of(pod.execSocket()));
        ContainerRunner.Outcome outcome = ContainerRunner.run(options);
        if (outcome.appEnded()) {
            Files.createDirectories(pod.statusFile(app.name()).getParent());
            // rkt parses the whole file as a number: no newline.
            Pod.writeAtomically(pod.statusFile(app.name()), Integer.toString(outcome.exitCode()));
        } else {
            // The app never ran: leave the pod as stage0 made it.
            Files.deleteIfExists(pod.pidFile());
            Files.deleteIfExists(pod.stateDirectory());
        }
        return outcome.exitCode();
    }

    /** The pod's app section replaces the image's whole (appc spec/pods.md); the image's must still be sound. */
    private static AciApp appSettings(Pod pod, PodManifest.App app) throws Stage1Exception, IOException {
        Path directory = pod.appDirectory(app.name());
        if (!Files.isDirectory(directory.resolve("rootfs"))) {
            throw new Stage1Exception(directory.resolve("rootfs") + ": app " + app.name() + " has no unpacked root"
                    + " file system; stage0 puts each app of the pod manifest there");
        }
        Path imageManifest = directory.resolve("manifest");
        Optional<AciApp> fromImage;
        try {
            fromImage = PodManifest.stage2App(Files.readAllBytes(imageManifest));
        } catch (NoSuchFileException e) {
            throw new Stage1Exception(imageManifest + ": app " + app.name() + " has no image manifest");
        } catch (ImageBuildException e) {
            throw new Stage1Exception(imageManifest + ": " + e.getMessage());
        }
        Optional<AciApp> settings = app.app().or(() -> fromImage);
        if (settings.isEmpty()) {
            throw new Stage1Exception("app " + app.name() + ": neither the pod manifest nor image " + app.imageName()
                    + " says what to run (no app section); give one with rkt run --exec");
        }
        return settings.get();
    }

    /** Host volumes need a shared file system, which the VM does not have; an empty one is the app's own root. */
    private static void checkMounts(PodManifest manifest, PodManifest.App app) throws Stage1Exception {
        for (PodManifest.Mount mount : app.mounts()) {
            PodManifest.Volume volume = manifest.volume(mount.volume()).orElseThrow(() -> new Stage1Exception(
                    "app " + app.name() + " mounts volume " + mount.volume() + ", which the pod manifest does not define"));
            if (volume.kind().equals("host")) {
                throw new Stage1Exception("volume " + volume.name() + " is a host directory ("
                        + volume.source().orElse("?") + "); minivmm's VMs cannot share host directories yet: run the pod"
                        + " without --volume " + volume.name() + ",kind=host");
            }
            Log.warn("volume " + volume.name() + " (empty) at " + mount.path() + " is not mounted: the path stays in the"
                    + " app's own copy-on-write root, whose writes vanish with the pod as an empty volume's do");
        }
    }

    static long ramBytes(ResourceLimits limits) throws Stage1Exception {
        if (limits.memoryBytes().isEmpty()) {
            return DEFAULT_RAM;
        }
        long limit = limits.memoryBytes().getAsLong();
        if (limit > MAX_RAM) {
            throw new Stage1Exception("the resource/memory limit, " + limit + " bytes, is more than the " + (MAX_RAM >> 30)
                    + " GiB minivmm gives one VM");
        }
        return (limit + RAM_ALIGNMENT - 1) / RAM_ALIGNMENT * RAM_ALIGNMENT + GUEST_OVERHEAD;
    }

    static int cpus(ResourceLimits limits) {
        long millis = limits.cpuMillis().orElse(1000);
        long whole = millis / 1000 + (millis % 1000 == 0 ? 0 : 1);
        return (int) Math.min(Integer.MAX_VALUE, Math.max(1, whole));
    }

    private static Optional<Path> present(Path file) {
        return Files.exists(file) ? Optional.of(file) : Optional.empty();
    }
}
