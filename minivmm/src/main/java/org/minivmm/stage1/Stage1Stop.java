package org.minivmm.stage1;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import org.minivmm.container.ContainerRunner;
import org.minivmm.vmm.Log;

/**
 * rkt's stop entrypoint. Gracefully: SIGTERM to the pod's VMM, which forwards it to the app and powers
 * the VM off if the app has not exited within its grace period. With --force: SIGKILL to the VMM,
 * which ends the VM at once. A pod that is not running is already stopped.
 */
public final class Stage1Stop {
    private Stage1Stop() {
    }

    public static int stop(Path podDirectory, String uuid, boolean force) {
        try {
            Pod pod = Pod.open(podDirectory, uuid);
            Optional<ProcessHandle> vmm = pod.runningVmm();
            if (vmm.isEmpty()) {
                Log.info("pod " + uuid + " is not running");
                return 0;
            }
            boolean sent = force ? vmm.get().destroyForcibly() : vmm.get().destroy();
            if (!sent && vmm.get().isAlive()) {
                throw new Stage1Exception("cannot signal pod " + uuid + "'s VMM, process " + vmm.get().pid()
                        + " (is it another user's?)");
            }
            Log.info(force ? "killed pod " + uuid + "'s VMM (process " + vmm.get().pid() + ")"
                    : "asked pod " + uuid + "'s app to stop (SIGTERM); its VM powers off when it exits, or after "
                    + Stage1Run.GRACE.toSeconds() + " s");
            return 0;
        } catch (Stage1Exception | IOException e) {
            Log.error(e.getMessage());
            return ContainerRunner.VMM_FAILURE;
        }
    }
}
