package org.minivmm.vmm;

/** Why a VM stopped; the CLI turns it into an exit code. */
public record StopReason(Kind kind, int guestStatus, String detail) {
    public enum Kind {
        /** The guest wrote a status to the exit port. */
        GUEST_EXIT,
        /** The guest reset the machine (i8042 reset, triple fault, or a KVM reset/shutdown event). */
        GUEST_RESET,
        /** The guest did something KVM or minivmm cannot go on from. */
        GUEST_CRASH,
        /** minivmm itself failed. */
        VMM_ERROR,
        /** The run's time limit passed. */
        TIMED_OUT,
        /** SIGINT or SIGTERM asked minivmm to stop the VM; guestStatus holds the signal number. */
        SIGNALLED
    }

    public static StopReason guestExit(int status) {
        return new StopReason(Kind.GUEST_EXIT, status, "guest exited with status " + status);
    }

    public static StopReason guestReset(String how) {
        return new StopReason(Kind.GUEST_RESET, 0, how);
    }

    public static StopReason guestCrash(String what) {
        return new StopReason(Kind.GUEST_CRASH, 0, what);
    }

    public static StopReason vmmError(String what) {
        return new StopReason(Kind.VMM_ERROR, 0, what);
    }

    public static StopReason timedOut(java.time.Duration timeout) {
        return new StopReason(Kind.TIMED_OUT, 0, "the guest did not finish within " + timeout.toMillis() + " ms; stopped it");
    }

    public static StopReason signalled(int signal, String name) {
        return new StopReason(Kind.SIGNALLED, signal, "stopped by SIG" + name);
    }
}
