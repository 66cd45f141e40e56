package org.minivmm.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
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
            "The serial console (ttyS0) is connected to this terminal; a guest ends the VM by resetting or by writing its exit status to port 0x501."})
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

    @Option(names = "--cmdline", paramLabel = "STR", defaultValue = VmConfig.DEFAULT_CMDLINE,
            description = "Kernel command line (default: \"${DEFAULT-VALUE}\").")
    String cmdline;

    @Option(names = "--disk", paramLabel = "FILE[,ro]",
            description = "A disk image for the guest as a virtio-blk device (repeatable, in order); ',ro' makes it read-only.")
    List<String> disks = List.of();

    @Option(names = "--rng", description = "Give the guest a virtio entropy device fed from the host's /dev/urandom.")
    boolean rng;

    @Option(names = "--console", paramLabel = "stdio|none|FILE", defaultValue = "stdio",
            description = "Where the serial console goes: this terminal (input too), nowhere, or a file (default: ${DEFAULT-VALUE}).")
    String console;

    @Override
    public Integer call() {
        boolean stdio = console.equals("stdio");
        try (OutputStream file = stdio ? null : consoleFile();
                Terminal terminal = stdio ? Terminal.rawIfTerminal() : null) {
            // The process's stdout is not ours to close, so it is not a resource here.
            OutputStream output = stdio ? new FileOutputStream(FileDescriptor.out) : file;
            StopReason reason = VmRunner.run(new VmConfig(kernel, ramBytes, cpus, cmdline, output, stdio, disks(), rng), null);
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
        List<VmConfig.Disk> parsed = new ArrayList<>();
        for (String disk : disks) {
            boolean readOnly = disk.endsWith(",ro");
            String file = readOnly ? disk.substring(0, disk.length() - 3) : disk;
            if (file.isEmpty() || file.contains(",")) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--disk takes FILE or FILE,ro, not '" + disk + "'");
            }
            parsed.add(new VmConfig.Disk(Path.of(file), readOnly));
        }
        return parsed;
    }

    private OutputStream consoleFile() throws IOException {
        return console.equals("none") ? OutputStream.nullOutputStream() : new FileOutputStream(console);
    }
}
