package org.minivmm.vmm;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * When each phase of a container's life was first reached, for {@code minivmm run --boot-timeline}. One per
 * process, as the phases are the process's own; marking costs a clock read, so it is always on.
 */
public final class BootTimeline {
    /** In the order they happen. */
    public enum Phase {
        JVM_READY("JVM ready"),
        VM_CREATED("VM created"),
        KERNEL_MAPPED("kernel mapped"),
        FIRST_VCPU_ENTRY("first vCPU entry"),
        FIRST_CONSOLE_BYTE("first console byte"),
        INIT_STARTED("init started"),
        APP_EXEC("app exec'ed"),
        APP_EXITED("app exited"),
        VM_TORN_DOWN("VM torn down"),
        PROCESS_EXIT("process exit");

        public final String label;

        Phase(String label) {
            this.label = label;
        }
    }

    /** A phase and when it was reached, in milliseconds since the process started. */
    public record Mark(Phase phase, double millis) {
    }

    private static final long UNSET = Long.MIN_VALUE;
    private static final AtomicLongArray MICROS = new AtomicLongArray(Phase.values().length);

    static {
        for (int i = 0; i < MICROS.length(); i++) {
            MICROS.set(i, UNSET);
        }
    }

    private BootTimeline() {
    }

    /** Records {@code phase} now, unless it was reached before. */
    public static void mark(Phase phase) {
        MICROS.compareAndSet(phase.ordinal(), UNSET, nowMicros());
    }

    /** The phases reached so far, in order, against {@code processStartMicros} (microseconds since the epoch). */
    public static List<Mark> marks(long processStartMicros) {
        List<Mark> marks = new ArrayList<>();
        for (Phase phase : Phase.values()) {
            long micros = MICROS.get(phase.ordinal());
            if (micros != UNSET) {
                marks.add(new Mark(phase, (micros - processStartMicros) / 1000.0));
            }
        }
        return marks;
    }

    static long nowMicros() {
        return ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now());
    }
}
