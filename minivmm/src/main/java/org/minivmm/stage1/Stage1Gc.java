package org.minivmm.stage1;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.minivmm.container.ContainerRunner;
import org.minivmm.vmm.Log;

/**
 * rkt's gc entrypoint: removes what this stage1 left in an ended pod, its {@code minivmm/} state
 * directory (the exec socket). A pod has no TAP devices (no network yet) and no images of its own:
 * the image store's images are shared by content between pods, like rkt's own tree store. Running
 * it again finds nothing to do.
 */
public final class Stage1Gc {
    private Stage1Gc() {
    }

    public static int gc(Path podDirectory, String uuid) {
        try {
            Pod pod = Pod.open(podDirectory, uuid);
            if (pod.runningVmm().isPresent()) {
                throw new Stage1Exception("pod " + uuid + " is still running; stop it first (rkt stop " + uuid + ")");
            }
            Path state = pod.stateDirectory();
            if (Files.exists(state)) {
                try (Stream<Path> paths = Files.walk(state)) {
                    List<Path> deepestFirst = paths.sorted(Comparator.reverseOrder()).toList();
                    for (Path path : deepestFirst) {
                        Files.deleteIfExists(path);
                    }
                }
                Log.info("removed " + state);
            }
            return 0;
        } catch (Stage1Exception | IOException e) {
            Log.error(e.getMessage());
            return ContainerRunner.VMM_FAILURE;
        }
    }
}
