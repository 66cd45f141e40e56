package org.minivmm.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.minivmm.container.ContainerOptions;
import org.minivmm.container.ContainerRunner;
import org.minivmm.host.Terminal;
import org.minivmm.vmm.Log;
import org.minivmm.vmm.StopReason;
import org.minivmm.vmm.VmConfig;
import org.minivmm.vmm.VmRunner;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "run", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Runs a container in its own KVM virtual machine: minivmm run [OPTIONS] IMAGE [COMMAND [ARG...]].",
            "IMAGE is an appc ACI, an OCI image layout directory or archive, a docker-save archive, an OCI runtime bundle,"
                + " or a root filesystem directory or tar; it is converted once into minivmm's image store. COMMAND replaces"
                + " the image's command. The app's stdout and stderr are minivmm's, kept apart; stdin is passed through;"
                + " the exit code is the app's (128+N if signal N killed it, 127 not found, 126 not executable).",
            "Nothing the container writes persists: its image is mapped copy-on-write and the writes vanish with the VM"
                + " (what --rm means elsewhere is always so here).",
            "Without IMAGE, boots --kernel as it is: an uncompressed ELF vmlinux mapped in place, with its console (the UART,"
                + " ttyS0, or with --console virtio hvc0) on this terminal; such a guest ends the VM by resetting or by"
                + " writing its exit status to port 0x501."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "N:the app's (or a bare kernel guest's) own exit status",
            "124:--timeout passed and the container was stopped",
            "125:minivmm failed: bad options, image or kernel, a KVM error, or the guest kernel crashed",
            "137:the app did not exit within --grace of a forwarded SIGTERM/SIGINT, so the VM was stopped",
            "128+N:without IMAGE, minivmm was stopped by signal N"})
final class RunCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "IMAGE", description = "The container image to run.")
    Path image;

    @Parameters(index = "1..*", paramLabel = "COMMAND", description = "The command and its arguments, replacing the image's.")
    List<String> command = new ArrayList<>();

    @Option(names = "--kernel", paramLabel = "FILE",
            description = "Uncompressed ELF vmlinux (not a bzImage). With IMAGE, default: $MINIVMM_KERNEL, else the kernel"
                + " kernel-config/build-kernel builds and caches; without IMAGE, required.")
    Path kernel;

    @Option(names = "--mem", paramLabel = "SIZE", defaultValue = "128M", converter = SizeConverter.class,
            description = "Guest RAM, e.g. 128M or 1G; a plain number is MiB (default: ${DEFAULT-VALUE}).")
    long ramBytes;

    @Option(names = "--cpus", paramLabel = "N", defaultValue = "1", description = "Number of vCPUs (default: ${DEFAULT-VALUE}).")
    int cpus;

    @Option(names = {"-e", "--env"}, paramLabel = "KEY=VALUE", description = "Set an environment variable for the app,"
            + " over the image's (repeatable).")
    List<String> env = new ArrayList<>();

    @Option(names = {"-w", "--workdir"}, paramLabel = "DIR", description = "The app's working directory, instead of the image's.")
    String workdir;

    @Option(names = {"-u", "--user"}, paramLabel = "USER[:GROUP]",
            description = "Run the app as this user (and group), names from the image's /etc/passwd and /etc/group or numbers.")
    String user;

    @Option(names = {"-t", "--tty"}, description = "Give the app a terminal: this one, in raw mode, as its stdin, stdout,"
            + " stderr and controlling terminal (Ctrl-C then goes to the app).")
    boolean tty;

    @Option(names = "--read-only", description = "Mount the container's root file system read-only (writes fail with EROFS"
            + " instead of going to the container's private copy).")
    boolean readOnly;

    @Option(names = "--hostname", paramLabel = "NAME", defaultValue = "minivmm",
            description = "The container's hostname (default: ${DEFAULT-VALUE}).")
    String hostname;

    @Option(names = "--timeout", paramLabel = "SECONDS",
            description = "Stop the VM after this many seconds (exit code 124 with IMAGE, 125 without).")
    Long timeoutSeconds;

    @Option(names = "--grace", paramLabel = "SECONDS", defaultValue = "10",
            description = "With IMAGE, SIGTERM and SIGINT are forwarded to the app; if it has not exited after this many"
                + " seconds, the VM is stopped (default: ${DEFAULT-VALUE}).")
    long graceSeconds;

    @Option(names = "--exec-socket", paramLabel = "PATH",
            description = {"Listen on a UNIX-domain socket at PATH (mode 0600; its directory must exist, PATH must not)"
                + " for commands to run in the container while it runs: 'minivmm exec --socket PATH COMMAND'. One"
                + " command at a time; the next waits until it ends. The socket is removed when the container ends."})
    Path execSocket;

    @Option(names = "--debug", description = "With IMAGE: show the guest kernel's boot messages on stderr (they are"
            + " quiet otherwise; each costs VM exits, so boots are slower).")
    boolean debug;

    @Option(names = "--boot-timeline", description = "Print to stderr when each phase of the run was reached, in ms since"
            + " minivmm started.")
    boolean bootTimeline;

    @Option(names = "--boot-timeline-json", paramLabel = "FILE", description = "Write the same as JSON to FILE.")
    Path bootTimelineJson;

    @Option(names = "--cmdline", paramLabel = "STR",
            description = {"Without IMAGE: the kernel command line (default: \"" + VmConfig.DEFAULT_CMDLINE
                + "\", or with --console virtio \"" + VmConfig.DEFAULT_VIRTIO_CONSOLE_CMDLINE + "\"). With IMAGE: words"
                + " added to the end of minivmm's own kernel command line, e.g. \"initcall_debug\"."})
    String cmdline;

    @Option(names = "--disk", paramLabel = "FILE[,ro]",
            description = "Without IMAGE: a disk image for the guest as a virtio-blk device (repeatable, in order);"
                + " ',ro' makes it read-only.")
    List<String> disks = List.of();

    @Option(names = "--pmem", paramLabel = "FILE[,ro][,virtio]",
            description = {"Without IMAGE: an image for the guest as DAX persistent memory (repeatable, in order): mapped"
                + " copy-on-write, so the guest's writes vanish with the VM and the file never changes; ',ro' maps it"
                + " read-only; ',virtio' announces it as a virtio-pmem device instead of legacy e820 pmem.",
                "The file must not be writable by others; an ext4 image needs 4096-byte blocks."})
    List<String> pmems = List.of();

    @Option(names = "--rng", description = "Without IMAGE: give the guest a virtio entropy device fed from the host's"
            + " /dev/urandom (containers always have one).")
    boolean rng;

    @Option(names = "--console", paramLabel = "serial|virtio|none|FILE",
            description = {"Without IMAGE: the guest's console on this terminal (input too) through the UART (ttyS0;"
                + " 'stdio' means the same) or through a virtio-console (hvc0; the UART's output then goes nowhere),"
                + " or nowhere, or the UART to a file (default: serial)."})
    String console;

    @CommandLine.Mixin
    NetOption net = new NetOption();

    @Override
    public Integer call() {
        int code = image != null ? runContainer() : runKernel();
        if (bootTimeline || bootTimelineJson != null) {
            TimelineOutput.write(bootTimeline, bootTimelineJson);
        }
        return code;
    }

    private int runContainer() {
        List<String> kernelOnly = new ArrayList<>();
        if (!disks.isEmpty()) kernelOnly.add("--disk");
        if (!pmems.isEmpty()) kernelOnly.add("--pmem");
        if (rng) kernelOnly.add("--rng");
        if (console != null) kernelOnly.add("--console");
        if (!kernelOnly.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), String.join(", ", kernelOnly)
                    + " only apply when booting a kernel without IMAGE");
        }
        if (!net.nets().isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--net tap=... only applies when booting a kernel without IMAGE; a container has only loopback (--net none)");
        }
        if (graceSeconds < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--grace must not be negative");
        }
        return ContainerRunner.run(new ContainerOptions(image, containerCommand(), env, Optional.ofNullable(workdir),
                Optional.ofNullable(user), tty, hostname, ramBytes, cpus, Optional.ofNullable(kernel), timeout(),
                Duration.ofSeconds(graceSeconds), debug, Optional.ofNullable(cmdline), Optional.empty(), true, readOnly,
                Optional.empty(), Optional.ofNullable(execSocket))).exitCode();
    }

    /** The words after IMAGE, without a "--" before them: picocli keeps it once positionals have begun. */
    List<String> containerCommand() {
        return !command.isEmpty() && command.get(0).equals("--") ? command.subList(1, command.size()) : command;
    }

    private Duration timeout() {
        if (timeoutSeconds == null) {
            return null;
        }
        if (timeoutSeconds <= 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--timeout must be a positive number of seconds");
        }
        return Duration.ofSeconds(timeoutSeconds);
    }

    private int runKernel() {
        if (kernel == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "give a container IMAGE, or --kernel FILE to boot a kernel as it is");
        }
        List<String> containerOnly = new ArrayList<>();
        if (!command.isEmpty()) containerOnly.add("COMMAND");
        if (!env.isEmpty()) containerOnly.add("--env");
        if (workdir != null) containerOnly.add("--workdir");
        if (user != null) containerOnly.add("--user");
        if (tty) containerOnly.add("--tty");
        if (readOnly) containerOnly.add("--read-only");
        if (execSocket != null) containerOnly.add("--exec-socket");
        if (!containerOnly.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), String.join(", ", containerOnly)
                    + " only apply to a container IMAGE");
        }
        String consoleChoice = console != null ? console : "serial";
        boolean virtio = consoleChoice.equals("virtio");
        boolean stdio = virtio || consoleChoice.equals("serial") || consoleChoice.equals("stdio");
        Duration timeout = timeout();
        try (OutputStream file = stdio ? null : consoleFile(consoleChoice);
                Terminal terminal = stdio ? Terminal.rawIfTerminal() : null) {
            // The process's stdout is not ours to close, so it is not a resource here.
            OutputStream output = stdio ? new FileOutputStream(FileDescriptor.out) : file;
            StopReason reason = VmRunner.run(new VmConfig(kernel, ramBytes, cpus, cmdline != null ? cmdline
                    : virtio ? VmConfig.DEFAULT_VIRTIO_CONSOLE_CMDLINE : VmConfig.DEFAULT_CMDLINE,
                    virtio ? OutputStream.nullOutputStream() : output, stdio, disks(), pmems(), rng,
                    virtio ? List.of(output) : List.of(), null).withNets(net.nets()), timeout);
            if (reason.kind() != StopReason.Kind.GUEST_EXIT) {
                Log.info(reason.detail());
            }
            return ExitCodes.of(reason);
        } catch (VmRunner.SetupFailure failure) {
            Log.error(failure.getMessage());
            return ExitCodes.VMM_FAILURE;
        } catch (IOException e) {
            Log.error("cannot write the console to " + consoleChoice + ": " + e.getMessage());
            return ExitCodes.VMM_FAILURE;
        }
    }

    private List<VmConfig.Disk> disks() {
        return disks.stream().map(disk -> {
            List<String> flags = flags("--disk", disk, List.of("ro"));
            return new VmConfig.Disk(Path.of(disk.split(",")[0]), flags.contains("ro"));
        }).toList();
    }

    private List<VmConfig.Pmem> pmems() {
        return pmems.stream().map(pmem -> {
            List<String> flags = flags("--pmem", pmem, List.of("ro", "virtio"));
            return new VmConfig.Pmem(Path.of(pmem.split(",")[0]), flags.contains("ro"), flags.contains("virtio"));
        }).toList();
    }

    /** The flags after FILE in "FILE,flag,...", each one of {@code allowed}. */
    private List<String> flags(String option, String value, List<String> allowed) {
        String[] parts = value.split(",", -1);
        List<String> flags = List.of(parts).subList(1, parts.length);
        if (parts[0].isEmpty() || !allowed.containsAll(flags)) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    option + " takes FILE" + allowed.stream().map(f -> "[," + f + "]").reduce("", String::concat) + ", not '" + value + "'");
        }
        return flags;
    }

    private static OutputStream consoleFile(String console) throws IOException {
        return console.equals("none") ? OutputStream.nullOutputStream() : new FileOutputStream(console);
    }
}
