package org.minivmm.cli;

import org.minivmm.vmm.Log;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.minivmm.host.Terminal;
import org.minivmm.vmm.StopReason;
import org.minivmm.vmm.VmConfig;
import org.minivmm.vmm.VmRunner;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "run", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Boots an uncompressed ELF kernel (vmlinux) in a new KVM virtual machine, mapped in place from its file.",
            "The console (the UART, ttyS0, or with --console virtio a virtio-console, hvc0) is connected to this terminal;"
                + " a guest ends the VM by resetting or by writing its exit status to port 0x501."})
final class RunCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--kernel", required = true, paramLabel = "FILE",
            description = "Uncompressed ELF vmlinux (not a bzImage).")
    Path kernel;

    @Option(names = "--mem", paramLabel = "SIZE", defaultValue = "128M", converter = SizeConverter.class,
            description = "Guest RAM, e.g. 128M or 1G; a plain number is MiB (default: ${DEFAULT-VALUE}).")
    long ramBytes;

    @Option(names = "--cpus", paramLabel = "N", defaultValue = "1", description = "Number of vCPUs (default: ${DEFAULT-VALUE}).")
    int cpus;

    @Option(names = "--cmdline", paramLabel = "STR",
            description = {"Kernel command line (default: \"" + VmConfig.DEFAULT_CMDLINE + "\", or with --console virtio \""
                + VmConfig.DEFAULT_VIRTIO_CONSOLE_CMDLINE + "\")."})
    String cmdline;

    @Option(names = "--disk", paramLabel = "FILE[,ro]",
            description = "A disk image for the guest as a virtio-blk device (repeatable, in order); ',ro' makes it read-only.")
    List<String> disks = List.of();

    @Option(names = "--pmem", paramLabel = "FILE[,ro][,virtio]",
            description = {"An image for the guest as DAX persistent memory (repeatable, in order): mapped copy-on-write,"
                + " so the guest's writes vanish with the VM and the file never changes; ',ro' maps it read-only;"
                + " ',virtio' announces it as a virtio-pmem device instead of legacy e820 pmem.",
                "The file must not be writable by others; an ext4 image needs 4096-byte blocks."})
    List<String> pmems = List.of();

    @Option(names = "--rng", description = "Give the guest a virtio entropy device fed from the host's /dev/urandom.")
    boolean rng;

    @Option(names = "--console", paramLabel = "serial|virtio|none|FILE", defaultValue = "serial",
            description = {"The guest's console on this terminal (input too) through the UART (ttyS0; 'stdio' means the same)"
                + " or through a virtio-console (hvc0; the UART's output then goes nowhere), or nowhere, or the UART to a file"
                + " (default: ${DEFAULT-VALUE})."})
    String console;

    @CommandLine.Mixin
    NetOption net = new NetOption();

    @Override
    public Integer call() {
        boolean virtio = console.equals("virtio");
        boolean stdio = virtio || console.equals("serial") || console.equals("stdio");
        try (OutputStream file = stdio ? null : consoleFile();
                Terminal terminal = stdio ? Terminal.rawIfTerminal() : null) {
            // The process's stdout is not ours to close, so it is not a resource here.
            OutputStream output = stdio ? new FileOutputStream(FileDescriptor.out) : file;
            StopReason reason = VmRunner.run(new VmConfig(kernel, ramBytes, cpus, cmdline != null ? cmdline
                    : virtio ? VmConfig.DEFAULT_VIRTIO_CONSOLE_CMDLINE : VmConfig.DEFAULT_CMDLINE,
                    output, stdio, disks(), pmems(), rng, virtio).withNets(net.nets()), null);
            if (reason.kind() != StopReason.Kind.GUEST_EXIT) {
                Log.info(reason.detail());
            }
            return ExitCodes.of(reason);
        } catch (VmRunner.SetupFailure failure) {
            Log.error(failure.getMessage());
            return ExitCodes.VMM_FAILURE;
        } catch (IOException e) {
            Log.error("cannot write the console to " + console + ": " + e.getMessage());
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

    private OutputStream consoleFile() throws IOException {
        return console.equals("none") ? OutputStream.nullOutputStream() : new FileOutputStream(console);
    }
}
