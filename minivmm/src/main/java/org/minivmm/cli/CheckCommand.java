package org.minivmm.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import org.minivmm.check.HostCheck;
import org.minivmm.check.ProbeGuest;
import org.minivmm.vmm.VmRunner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "check", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Checks that this host can run minivmm: /dev/kvm, what kind of KVM it is, the capabilities minivmm needs,"
            + " and a boot of the built-in probe guest, with a network interface when run as root. Exits 0 only if the probe passes."})
final class CheckCommand implements Callable<Integer> {
    @Option(names = "--json", description = "Print the result as one JSON object, for scripts.")
    boolean json;

    @Option(names = {"-v", "--verbose"}, description = "Also print the probe guest's whole report.")
    boolean verbose;

    @Override
    public Integer call() {
        HostCheck host = HostCheck.inspect();
        ProbeGuest.Result probe = null;
        String probeProblem = null;
        if (host.kvmUsable()) {
            try {
                probe = ProbeGuest.bootForCheck(ProbeGuest.file(), "exit=0 ram-mib=" + (ProbeGuest.RAM_BYTES >> 20));
            } catch (VmRunner.SetupFailure | IOException e) {
                probeProblem = e.getMessage();
            }
        } else {
            probeProblem = "not booted: KVM is not usable";
        }
        CheckReport report = new CheckReport(host, probe, probeProblem);
        PrintStream out = System.out;
        out.print(json ? report.json() : report.text(verbose));
        out.flush();
        return report.passed() ? ExitCodes.OK : ExitCodes.CHECK_FAILED;
    }
}
