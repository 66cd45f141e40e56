package org.minivmm.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The probe's PVH entry: the same binary boots under QEMU's microvm machine (which reads the Xen
 * ELF note, as it does for a vmlinux), so benchmarks can compare minivmm with QEMU on one guest.
 */
class QemuPvhIT {
    /** kvm_pvm refuses the IA32_ARCH_CAPABILITIES MSR that "-cpu host" would set, so that feature is left out. */
    static final List<String> QEMU_MICROVM = List.of("qemu-system-x86_64", "-M", "microvm", "-enable-kvm",
            "-cpu", "host,-arch-capabilities", "-m", "64", "-nodefaults", "-no-user-config", "-nographic",
            "-serial", "stdio", "-device", "isa-debug-exit,iobase=0x501,iosize=1");

    @BeforeAll
    static void kvmAndQemu() throws Exception {
        TestHost.requireKvm();
        if (new ProcessBuilder("sh", "-c", "command -v qemu-system-x86_64").start().waitFor() != 0) {
            fail("qemu-system-x86_64 is not installed (apt-get install qemu-system-x86; scripts/lib/install-deps does it)");
        }
    }

    @Test
    void theProbeBootsUnderQemuMicrovmThroughItsPvhEntry() throws Exception {
        List<String> command = new java.util.ArrayList<>(QEMU_MICROVM);
        command.addAll(List.of("-kernel", TestHost.probe().toString(), "-append", "exit=5"));
        TestHost.Finished qemu = TestHost.run(command, "");
        assertTrue(qemu.stdout().contains("probe: protocol pvh"), qemu.stdout() + qemu.stderr());
        assertTrue(qemu.stdout().endsWith("PROBE-OK\n"), qemu.stdout());
        assertEquals((5 << 1) | 1, qemu.exitCode(), "isa-debug-exit reports (status << 1) | 1");
    }
}
