package org.minivmm.host;

import java.nio.ByteBuffer;
import jnr.ffi.LastError;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;

/** Checked wrappers over {@link LibC}: each returns the call's result or throws {@link NativeException}. */
public final class Host {
    public static final int O_RDWR = 02;
    public static final int O_RDONLY = 0;
    public static final int O_CLOEXEC = 02000000;
    public static final int EINTR = 4;
    public static final int EAGAIN = 11;

    private static final LibC LIBC = LibraryLoader.create(LibC.class).load("c");
    private static final Runtime RUNTIME = Runtime.getRuntime(LIBC);

    private Host() {
    }

    public static LibC libc() {
        return LIBC;
    }

    public static int errno() {
        return LastError.getLastError(RUNTIME);
    }

    public static NativeException failure(String operation) {
        int errno = errno();
        return new NativeException(operation, errno, LIBC.strerror(errno));
    }

    public static int open(String path, int flags) {
        int fd = LIBC.open(path, flags | O_CLOEXEC);
        if (fd < 0) {
            throw failure("open " + path);
        }
        return fd;
    }

    public static void close(int fd) {
        LIBC.close(fd);
    }

    public static int ioctl(int fd, String name, long request, long argument) {
        int result = LIBC.ioctl(fd, request, argument);
        if (result < 0) {
            throw failure(name);
        }
        return result;
    }

    public static int ioctl(int fd, String name, long request, ByteBuffer argument) {
        int result = LIBC.ioctl(fd, request, argument);
        if (result < 0) {
            throw failure(name);
        }
        return result;
    }
}
