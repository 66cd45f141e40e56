package org.minivmm.container;

/** A container could not be started; the message says what was wrong and what to do. */
public final class ContainerException extends Exception {
    public ContainerException(String message) {
        super(message);
    }
}
