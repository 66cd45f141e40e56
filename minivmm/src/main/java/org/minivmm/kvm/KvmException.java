package org.minivmm.kvm;

/** KVM refused something or reported a state the VMM cannot go on from. */
public class KvmException extends RuntimeException {
    public KvmException(String message) {
        super(message);
    }
}
