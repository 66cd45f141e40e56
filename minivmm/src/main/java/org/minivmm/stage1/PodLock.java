package org.minivmm.stage1;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * rkt's stage0 takes an exclusive flock on the pod directory and passes the descriptor in
 * RKT_LOCK_FD; the pod counts as running while it is held, so stage1 keeps it open until the pod
 * ends (this JVM never closes it, and it is not close-on-exec, which no child here needs).
 */
final class PodLock {
    static final String VARIABLE = "RKT_LOCK_FD";

    private PodLock() {
    }

    /** Checks that {@code value} names an open descriptor on {@code podDirectory} holding an exclusive flock. */
    static void verify(String value, Path podDirectory) throws Stage1Exception, IOException {
        if (value == null || value.isEmpty()) {
            throw new Stage1Exception(VARIABLE + " is not set: the run entrypoint is for rkt's stage0, which passes an"
                    + " flock'ed descriptor on the pod directory in it");
        }
        if (!value.matches("\\d{1,9}")) {
            throw new Stage1Exception(VARIABLE + "=" + value + " is not a file descriptor number");
        }
        Path descriptor = Path.of("/proc/self/fd", value);
        String target;
        try {
            target = Files.readSymbolicLink(descriptor).toString();
        } catch (NoSuchFileException e) {
            throw new Stage1Exception(VARIABLE + "=" + value + " is not an open file descriptor");
        }
        if (!Files.isDirectory(descriptor) || !Files.isSameFile(descriptor, podDirectory)) {
            throw new Stage1Exception(VARIABLE + "=" + value + " is open on " + target + ", not on the pod directory "
                    + podDirectory);
        }
        // The kernel lists, per open file, the locks taken through it.
        boolean exclusive = Files.readAllLines(Path.of("/proc/self/fdinfo", value)).stream()
                .anyMatch(line -> line.startsWith("lock:") && line.contains(" FLOCK ") && line.contains(" WRITE "));
        if (!exclusive) {
            throw new Stage1Exception(VARIABLE + "=" + value + " holds no exclusive flock on the pod directory; rkt's"
                    + " stage0 takes one before it runs stage1 (flock -x)");
        }
    }
}
