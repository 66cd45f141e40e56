package org.minivmm.host;

/** mmap(2) and munmap(2), with the flags the VMM uses. */
public final class Mmap {
    public static final int PROT_READ = 1;
    public static final int PROT_WRITE = 2;
    public static final int PROT_EXEC = 4;
    public static final int MAP_SHARED = 0x01;
    public static final int MAP_PRIVATE = 0x02;
    public static final int MAP_FIXED = 0x10;
    public static final int MAP_ANONYMOUS = 0x20;
    public static final int MAP_NORESERVE = 0x4000;
    public static final long PAGE_SIZE = 4096;

    private Mmap() {
    }

    public static long map(long address, long length, int protection, int flags, int fd, long offset, String what) {
        long result = LibC.mmap(address, length, protection, flags, fd, offset);
        if (result == -1) {
            throw Host.failure("mmap " + what);
        }
        return result;
    }

    public static void unmap(long address, long length) {
        if (LibC.munmap(address, length) != 0) {
            throw Host.failure("munmap");
        }
    }
}
