package org.minivmm.it;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * minivmm processes a test keeps running (guests that halt after PROBE-OK) so it can look at them from
 * the host; whatever the test leaves running is stopped with SIGTERM afterwards.
 */
final class LiveVmms {
    /** A running VMM and what its guest printed up to PROBE-OK. */
    record Live(Process process, String report) {
        long pid() {
            return process.pid();
        }
    }

    private final List<Process> running = new ArrayList<>();

    /** Starts scripts/minivmm with {@code arguments} and returns once the guest printed PROBE-OK. */
    Live start(String... arguments) throws Exception {
        Process vmm = new ProcessBuilder(TestHost.minivmm(arguments)).redirectErrorStream(true).start();
        running.add(vmm);
        return new Live(vmm, RunningVmm.awaitLine(vmm, "PROBE-OK"));
    }

    void stopAll() throws InterruptedException {
        for (Process vmm : running) {
            vmm.destroy();
            vmm.waitFor(20, TimeUnit.SECONDS);
        }
        running.clear();
    }
}
