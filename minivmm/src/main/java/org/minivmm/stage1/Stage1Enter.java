package org.minivmm.stage1;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.minivmm.container.ContainerRunner;
import org.minivmm.container.ExecClient;
import org.minivmm.rootfs.image.PodManifest;
import org.minivmm.vmm.Log;

/**
 * rkt's enter entrypoint: runs a command in the running pod's VM, as its app (root, environment, user,
 * directory), through the exec socket the run entrypoint serves; stdio is connected and the command's
 * exit status is this process's.
 */
public final class Stage1Enter {
    private Stage1Enter() {
    }

    public static int enter(Path podDirectory, long pid, String appName, List<String> command) {
        try {
            Pod pod = Pod.open(podDirectory);
            PodManifest manifest = pod.manifest();
            if (manifest.app(appName).isEmpty()) {
                throw new Stage1Exception("pod " + pod.uuid() + " has no app " + appName + " (its apps: "
                        + String.join(", ", manifest.appNames()) + ")");
            }
            if (command.isEmpty()) {
                throw new Stage1Exception("no command to run: give it after '--'");
            }
            Optional<ProcessHandle> vmm = pod.runningVmm();
            if (vmm.isEmpty()) {
                throw new Stage1Exception("pod " + pod.uuid() + " is not running");
            }
            if (vmm.get().pid() != pid) {
                throw new Stage1Exception("--pid=" + pid + " is not pod " + pod.uuid() + "'s VMM, which is process "
                        + vmm.get().pid());
            }
            return ExecClient.run(pod.execSocket(), command);
        } catch (Stage1Exception | IOException e) {
            Log.error(e.getMessage());
            return ContainerRunner.VMM_FAILURE;
        }
    }
}
