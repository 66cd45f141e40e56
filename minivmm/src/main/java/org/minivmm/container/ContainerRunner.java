package org.minivmm.container;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.minivmm.boot.ElfKernel;
import org.minivmm.boot.KernelFormatException;
import org.minivmm.boot.MemoryLayout;
import org.minivmm.check.KvmKind;
import org.minivmm.rootfs.image.BuildOptions;
import org.minivmm.rootfs.image.BuiltImage;
import org.minivmm.rootfs.image.ImageBuilder;
import org.minivmm.rootfs.image.ImageStore;
import org.minivmm.rootfs.image.ProgressListener;
import org.minivmm.rootfs.image.RuntimeImage;
import org.minivmm.rootfs.launch.LaunchConfig;
import org.minivmm.rootfs.launch.LaunchConfigWriter;
import org.minivmm.vmm.BootTimeline;
import org.minivmm.vmm.Log;
import org.minivmm.vmm.StopReason;
import org.minivmm.vmm.VmConfig;
import org.minivmm.vmm.VmRunner;

/**
 * {@code minivmm run IMAGE}: the image and the shared runtime image (the guest init) from the image store,
 * mapped as DAX persistent memory, copy-on-write; the kernel mapped in place; a launch config on a small
 * read-only disk; the app's stdout, stderr and a control channel on three virtio consoles, and with an exec
 * socket a fourth for exec sessions; the kernel's and the init's own messages on the UART, to stderr.
 */
public final class ContainerRunner {
    /** exit codes besides the app's own */
    public static final int TIMED_OUT = 124;
    public static final int VMM_FAILURE = 125;
    public static final int KILLED_AFTER_GRACE = 128 + 9;

    static final int STDOUT_CONSOLE = 0;
    static final int STDERR_CONSOLE = 1;
    static final int CONTROL_CONSOLE = 2;
    static final int EXEC_CONSOLE = 3;
    /** The runtime image is the first pmem region, so /dev/pmem0; the container's image the second. */
    private static final String ROOT_DEVICE = "/dev/pmem1";
    private static final String CMDLINE = "console=ttyS0 reboot=k panic=-1 root=/dev/pmem0 ro rootfstype=ext4"
            + " rootflags=dax init=" + RuntimeImage.INIT_PATH;

    private ContainerRunner() {
    }

    /**
     * How a container ended.
     *
     * @param exitCode minivmm's exit code: the app's status, or one of the codes above
     * @param appEnded whether the exit code is the app's status (it ran and exited, or was killed), not minivmm's
     */
    public record Outcome(int exitCode, boolean appEnded) {
    }

    /** Runs the container; every failure has been reported on stderr. */
    public static Outcome run(ContainerOptions options) {
        Path launchFile = null;
        Optional<ExecBridge> exec = Optional.empty();
        try {
            refuseSoftwareKvm();
            Path kernel = GuestKernel.locate(options.kernel());
            checkKernelFits(kernel, options.ramBytes());
            if (options.execSocket().isPresent()) {
                exec = Optional.of(ExecBridge.open(options.execSocket().get())); // before the images: a bad path is told at once
            }
            ImageStore store = ImageStore.defaultStore();
            ProgressListener progress = new BuildProgress();
            Path runtime = options.runtimeImage().isPresent() ? options.runtimeImage().get()
                    : RuntimeImage.build(store, progress).image();
            BuiltImage image = ImageBuilder.build(options.image(), store, BuildOptions.DEFAULT, progress);
            LaunchConfig launch = ContainerLaunch.configFor(options.app().orElse(image.app()), options, ROOT_DEVICE,
                    stdio(options.tty()), exec.map(bridge -> device(EXEC_CONSOLE)));
            launchFile = writeLaunchFile(launch);

            ContainerSession.Events events = new ContainerSession.Events(exec);
            String cmdline = (options.debug() ? CMDLINE : CMDLINE + " quiet")
                    + options.extraKernelArguments().map(extra -> " " + extra).orElse("");
            VmConfig config = new VmConfig(kernel, options.ramBytes(), options.cpus(), cmdline,
                    marking(new FileOutputStream(FileDescriptor.err)), false,
                    List.of(new VmConfig.Disk(launchFile, true)),
                    List.of(new VmConfig.Pmem(runtime, false, false), new VmConfig.Pmem(image.image(), false, false)),
                    true, consoles(exec), events);
            Path launchFileToDelete = launchFile;
            Optional<ExecBridge> execToStart = exec;
            StopReason reason = VmRunner.run(config, options.timeout(),
                    vm -> new ContainerSession(vm, options, events, launchFileToDelete, execToStart));
            return new Outcome(exitCode(reason, options),
                    reason.kind() == StopReason.Kind.GUEST_EXIT || reason.kind() == StopReason.Kind.SIGNALLED);
        } catch (ContainerException | VmRunner.SetupFailure | IOException e) {
            Log.error(e.getMessage());
            return new Outcome(VMM_FAILURE, false);
        } finally {
            deleteQuietly(launchFile);
            exec.ifPresent(ExecBridge::close);
        }
    }

    /** hvc0 stdout (and stdin), hvc1 stderr, hvc2 control, and hvc3 exec sessions when there is an exec socket. */
    private static List<OutputStream> consoles(Optional<ExecBridge> exec) {
        List<OutputStream> consoles = new ArrayList<>(List.of(marking(new FileOutputStream(FileDescriptor.out)),
                marking(new FileOutputStream(FileDescriptor.err)), OutputStream.nullOutputStream()));
        exec.ifPresent(bridge -> consoles.add(bridge.guestOutput()));
        return consoles;
    }

    /** Before any image work: on such a host the kernel would stop at its first unemulated instruction. */
    private static void refuseSoftwareKvm() throws ContainerException {
        KvmKind kind = KvmKind.detect(Path.of("/sys/module"));
        if (kind == KvmKind.SOFTWARE_PVM) {
            throw new ContainerException("this host's /dev/kvm is " + kind.description() + ": " + kind.meaning()
                    + " For example, from the checkout: scripts/kvm-lab run --with IMAGE --with ~/.cache/minivmm/kernel"
                    + " --env MINIVMM_KERNEL=$(kernel-config/build-kernel) -- scripts/minivmm run IMAGE");
        }
    }

    /** Before the images: a kernel that cannot boot in this RAM should not wait for an image conversion. */
    private static void checkKernelFits(Path kernel, long ramBytes) throws ContainerException, IOException {
        try {
            ElfKernel.open(kernel).checkFits(MemoryLayout.forRam(ramBytes));
        } catch (KernelFormatException e) {
            throw new ContainerException(e.getMessage()); // it names the file
        } catch (NoSuchFileException e) {
            throw new ContainerException(kernel + ": no such kernel file; give --kernel FILE or set " + GuestKernel.ENVIRONMENT);
        } catch (IllegalArgumentException e) {
            throw new ContainerException(e.getMessage());
        }
    }

    private static LaunchConfig.Stdio stdio(boolean tty) {
        Optional<String> control = Optional.of(device(CONTROL_CONSOLE));
        if (tty) {
            return new LaunchConfig.Stdio(Optional.empty(), Optional.of(device(STDOUT_CONSOLE)), Optional.empty(), control);
        }
        return new LaunchConfig.Stdio(Optional.of(device(STDOUT_CONSOLE)), Optional.of(device(STDOUT_CONSOLE)),
                Optional.of(device(STDERR_CONSOLE)), control);
    }

    private static String device(int console) {
        return "/dev/hvc" + console;
    }

    private static int exitCode(StopReason reason, ContainerOptions options) {
        switch (reason.kind()) {
            case GUEST_EXIT:
                return reason.guestStatus();
            case GUEST_RESET:
                Log.error("the guest rebooted before the app's exit status came back: a guest kernel panic or crash"
                        + " (the kernel's messages above say which)");
                return VMM_FAILURE;
            case TIMED_OUT:
                Log.error("the container did not finish within --timeout " + options.timeout().toSeconds() + "s; stopped it");
                return TIMED_OUT;
            case SIGNALLED:
                Log.error(reason.detail());
                return KILLED_AFTER_GRACE;
            default:
                Log.error(reason.detail());
                return VMM_FAILURE;
        }
    }

    /** Private to this user, and read-only to the guest; it is deleted once the VM has it open. */
    private static Path writeLaunchFile(LaunchConfig launch) throws IOException {
        Path file = Files.createTempFile("minivmm-launch-", ".bin",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            LaunchConfigWriter.write(launch, file);
        } catch (IOException e) {
            deleteQuietly(file);
            throw e;
        }
        return file;
    }

    static void deleteQuietly(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                Log.warn("cannot delete " + file + ": " + e.getMessage());
            }
        }
    }

    /** Marks the first byte any console sends, for the boot timeline. */
    private static OutputStream marking(OutputStream out) {
        return new FilterOutputStream(out) {
            @Override
            public void write(byte[] bytes, int offset, int length) throws IOException {
                BootTimeline.mark(BootTimeline.Phase.FIRST_CONSOLE_BYTE);
                out.write(bytes, offset, length);
            }

            @Override
            public void write(int b) throws IOException {
                BootTimeline.mark(BootTimeline.Phase.FIRST_CONSOLE_BYTE);
                out.write(b);
            }
        };
    }

    /**
     * Image progress only when an image is really built: a run whose images are already in the store
     * prints nothing of them, as a container runtime with the image pulled does. The first step
     * ("reading ...") waits until it is clear which it is.
     */
    private static final class BuildProgress implements ProgressListener {
        private String held;
        private boolean building;

        @Override
        public void step(String message) {
            if (!building && held == null) {
                held = message;
                return;
            }
            if (!building) {
                building = true;
                Log.info(held);
            }
            Log.info(message);
        }

        @Override
        public void alreadyBuilt(Path image) {
            held = null;
        }

        @Override
        public void warning(String message) {
            Log.warn(message);
        }
    }
}
