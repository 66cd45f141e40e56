package org.minivmm.boot;

/**
 * The kernel file cannot be booted. The message is a complete sentence saying what to pass
 * instead, ready to print after "minivmm: ".
 */
public class KernelFormatException extends Exception {
    private static final long serialVersionUID = 1L;

    public KernelFormatException(String message) {
        super(message);
    }
}
