package org.minivmm.cli;

import org.minivmm.vmm.StopReason;

/**
 * minivmm's exit codes. A guest's own status passes through unchanged; minivmm's failures use 125,
 * as docker and runc callers expect; a stop forced by a signal gives 128 + the signal number.
 */
public final class ExitCodes {
    public static final int OK = 0;
    /** `minivmm check`: the host cannot run minivmm's guests, or the probe guest failed. */
    public static final int CHECK_FAILED = 1;
    /** minivmm itself failed: bad options or kernel, a KVM error, or a guest that crashed. */
    public static final int VMM_FAILURE = 125;

    private ExitCodes() {
    }

    public static int of(StopReason reason) {
        return switch (reason.kind()) {
            case GUEST_EXIT -> reason.guestStatus();
            case GUEST_RESET -> OK;
            case GUEST_CRASH, VMM_ERROR, TIMED_OUT -> VMM_FAILURE;
            case SIGNALLED -> 128 + reason.guestStatus();
        };
    }
}
