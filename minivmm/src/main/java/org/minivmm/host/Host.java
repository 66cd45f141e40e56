package org.minivmm.host;

import java.nio.ByteBuffer;

/** Checked wrappers over {@link LibC}: each returns the call's result or throws {@link NativeException}. */
public final class Host {
    public static final int O_RDWR = 02;
    public static final int O_RDONLY = 0;
    public static final int O_NONBLOCK = 04000;
    public static final int O_CLOEXEC = 02000000;
    public static final int EINTR = 4;
    public static final int EAGAIN = 11;

    private Host() {
    }

    public static int errno() {
        return LibC.errno();
    }

    public static NativeException failure(String operation) {
        int errno = errno();
        return new NativeException(operation, errno, LibC.strerror(errno));
    }

    public static int open(String path, int flags) {
        int fd = LibC.open(path, flags | O_CLOEXEC);
        if (fd < 0) {
            throw failure("open " + path);
        }
        return fd;
    }

    public static void close(int fd) {
        LibC.close(fd);
    }

    public static int ioctl(int fd, String name, long request, long argument) {
        int result = LibC.ioctl(fd, request, argument);
        if (result < 0) {
            throw failure(name);
        }
        return result;
    }

    public static int ioctl(int fd, String name, long request, ByteBuffer argument) {
        int result = LibC.ioctl(fd, request, argument);
        if (result < 0) {
            throw failure(name);
        }
        return result;
    }
}
