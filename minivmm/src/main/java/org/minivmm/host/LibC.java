package org.minivmm.host;

import java.nio.ByteBuffer;
import jnr.ffi.annotations.SaveError;

/**
 * The few libc functions the VMM calls. Kept small on purpose: every bound method costs start-up time.
 * mmap goes through syscall(2) because jnr-ffi's six-argument call to libc mmap was seen to fail here
 * with EINVAL before reaching the kernel (see shared/notes/kvm-on-these-machines.md).
 */
@SaveError
public interface LibC {
    int open(String path, int flags);

    int close(int fd);

    int ioctl(int fd, long request, long argument);

    int ioctl(int fd, long request, ByteBuffer argument);

    long syscall(long number, long a1, long a2, long a3, long a4, long a5, long a6);

    int munmap(long address, long length);

    long pthread_self();

    int pthread_kill(long thread, int signal);

    int isatty(int fd);

    int tcgetattr(int fd, ByteBuffer termios);

    int tcsetattr(int fd, int when, ByteBuffer termios);

    void cfmakeraw(ByteBuffer termios);

    String strerror(int errno);
}
