package org.minivmm.vmm;

import sun.misc.Signal;

/**
 * The signal that pulls a vCPU thread out of KVM_RUN. It needs a handler, or the kernel would drop
 * (or act on) it instead of interrupting the ioctl; the JVM's own native handler for it is safe in
 * signal context and does nothing that matters. SIGURG is otherwise unused by the JVM and by minivmm.
 */
final class VcpuSignal {
    static final int NUMBER = 23;
    private static boolean installed;

    private VcpuSignal() {
    }

    static synchronized void install() {
        if (!installed) {
            Signal.handle(new Signal("URG"), signal -> { });
            installed = true;
        }
    }
}
