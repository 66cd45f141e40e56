package org.minivmm.host;

/** A failed system call, named with the operation and the errno text, so no raw -1 leaks upward. */
public class NativeException extends RuntimeException {
    private final int errno;

    public NativeException(String operation, int errno, String errnoText) {
        super(operation + " failed: " + errnoText + " (errno " + errno + ")");
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }
}
