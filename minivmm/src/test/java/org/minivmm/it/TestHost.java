package org.minivmm.it;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** What the integration tests need from the host: a usable /dev/kvm (or a loud failure), the build's files, processes. */
final class TestHost {
    private TestHost() {
    }

    /** Fails, never skips, when KVM is missing: a tier that cannot run must say so. */
    static void requireKvm() {
        Path kvm = Path.of("/dev/kvm");
        if (!Files.exists(kvm)) {
            fail("/dev/kvm does not exist on this host: the KVM integration tests cannot run here (load kvm_intel, kvm_amd or kvm_pvm)");
        }
        if (!Files.isReadable(kvm) || !Files.isWritable(kvm)) {
            fail("/dev/kvm exists but this user cannot open it read-write: the KVM integration tests cannot run (add the user to group kvm)");
        }
    }

    static Path probe() {
        return existing("minivmm.probe", "the probe guest (minivmm/target/classes/probe/probe.elf)");
    }

    static Path launcher() {
        return existing("minivmm.launcher", "scripts/minivmm");
    }

    private static Path existing(String property, String what) {
        String value = System.getProperty(property);
        assertTrue(value != null && Files.exists(Path.of(value)), what + " is missing; run the tests through Maven (mvn verify)");
        return Path.of(value);
    }

    /** A finished process: its exit code and what it printed. */
    record Finished(int exitCode, String stdout, String stderr) {
    }

    static Finished run(List<String> command, String stdin) throws IOException, InterruptedException {
        Path out = Files.createTempFile("minivmm-it", ".out");
        Path err = Files.createTempFile("minivmm-it", ".err");
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
            Process process = builder.start();
            process.getOutputStream().write(stdin.getBytes());
            process.getOutputStream().close();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                fail(String.join(" ", command) + " did not finish within 60 s");
            }
            return new Finished(process.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    static List<String> minivmm(String... arguments) {
        List<String> command = new ArrayList<>(List.of(launcher().toString()));
        command.addAll(List.of(arguments));
        return command;
    }
}
