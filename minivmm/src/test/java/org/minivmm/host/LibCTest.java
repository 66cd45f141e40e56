package org.minivmm.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One small test per libc binding: a wrong signature shows up here, not as a corrupted VM. */
class LibCTest {
    private static final int EBADF = 9;
    private static final int ENOENT = 2;
    private static final int ENOTTY = 25;
    private static final int EINVAL = 22;
    private static final int EAFNOSUPPORT = 97;
    private static final long FIONREAD = 0x541B;

    @Test
    void openAndCloseReportErrno() {
        int fd = LibC.open("/dev/null", Host.O_RDONLY);
        assertTrue(fd >= 0);
        assertEquals(0, LibC.close(fd));
        assertEquals(-1, LibC.open("/no/such/file", Host.O_RDONLY));
        assertEquals(ENOENT, LibC.errno());
        assertEquals(-1, LibC.close(fd));
        assertEquals(EBADF, LibC.errno());
    }

    @Test
    void ioctlPassesItsBufferAndRequest(@TempDir Path directory) throws Exception {
        Path file = Files.write(directory.resolve("123-bytes"), new byte[123]);
        int fd = LibC.open(file.toString(), Host.O_RDONLY);
        ByteBuffer count = ByteBuffer.allocateDirect(4).order(java.nio.ByteOrder.nativeOrder());
        count.putInt(0, -1);
        assertEquals(0, LibC.ioctl(fd, FIONREAD, count), "FIONREAD on a regular file");
        assertEquals(123, count.getInt(0), "the kernel wrote the bytes left to read into the buffer");
        LibC.close(fd);
        assertEquals(-1, LibC.ioctl(-1, FIONREAD, count));
        assertEquals(EBADF, LibC.errno());
    }

    @Test
    void hostIoctlTurnsFailureIntoANamedException() {
        NativeException failure = assertThrows(NativeException.class, () -> Host.ioctl(-1, "FIONREAD", FIONREAD, 0));
        assertEquals(EBADF, failure.errno());
        assertTrue(failure.getMessage().startsWith("FIONREAD failed: Bad file descriptor"), failure.getMessage());
    }

    @Test
    void mmapOfAFileIsPrivateAndSixArgumentsArrive(@TempDir Path directory) throws Exception {
        byte[] content = new byte[2 * 4096];
        content[4096] = 42;
        Path file = Files.write(directory.resolve("data"), content);
        int fd = Host.open(file.toString(), Host.O_RDONLY);
        // A non-zero offset proves the sixth argument arrives intact.
        long address = Mmap.map(0, 4096, Mmap.PROT_READ | Mmap.PROT_WRITE, Mmap.MAP_PRIVATE, fd, 4096, "test file");
        Host.close(fd);
        ByteBuffer view = LibC.view(address, 4096);
        assertEquals(42, view.get(0));
        view.put(0, (byte) 7);
        assertEquals(7, view.get(0));
        Mmap.unmap(address, 4096);
        assertEquals(42, Files.readAllBytes(file)[4096], "a MAP_PRIVATE write never reaches the file");
        assertThrows(NativeException.class, () -> Mmap.map(0, 4096, Mmap.PROT_READ, Mmap.MAP_PRIVATE, -1, 0, "no fd"));
    }

    @Test
    void anonymousMappingsAreZeroed() {
        long address = Mmap.map(0, 8192, Mmap.PROT_READ | Mmap.PROT_WRITE,
                Mmap.MAP_PRIVATE | Mmap.MAP_ANONYMOUS | Mmap.MAP_NORESERVE, -1, 0, "anonymous");
        assertEquals(0, LibC.view(address, 8192).getLong(8184));
        assertEquals(0, LibC.munmap(address, 8192));
    }

    @Test
    void threadsAndSignals() {
        long self = LibC.pthreadSelf();
        assertNotEquals(0, self);
        assertEquals(0, LibC.pthreadKill(self, 0), "signal 0 only checks that the thread exists");
    }

    @Test
    void terminalCallsOnSomethingThatIsNotATerminal() {
        int fd = LibC.open("/dev/null", Host.O_RDONLY);
        assertEquals(0, LibC.isatty(fd));
        ByteBuffer termios = ByteBuffer.allocateDirect(60);
        assertEquals(-1, LibC.tcgetattr(fd, termios));
        assertEquals(ENOTTY, LibC.errno());
        LibC.cfmakeraw(termios);
        assertEquals(-1, LibC.tcsetattr(fd, 0, termios));
        LibC.close(fd);
    }

    @Test
    void eventfdCountsSignalsAndPollSeesThem() {
        try (EventFd event = new EventFd()) {
            assertEquals(0, event.consume(), "nothing signalled yet (non-blocking read)");
            ByteBuffer pollfd = ByteBuffer.allocateDirect(8).order(java.nio.ByteOrder.nativeOrder());
            pollfd.putInt(0, event.fd()).putShort(4, (short) 1); // POLLIN
            assertEquals(0, LibC.poll(pollfd, 1, 0), "not readable before a signal");
            event.signal();
            event.signal();
            assertEquals(1, LibC.poll(pollfd, 1, 1000));
            assertEquals(1, pollfd.getShort(6) & 1, "revents has POLLIN");
            assertEquals(2, event.consume(), "the counter holds both signals and reading clears it");
            assertEquals(0, event.consume());
        }
    }

    @Test
    void readAndWriteMoveBytes(@TempDir Path directory) throws Exception {
        Path file = directory.resolve("rw");
        Files.write(file, new byte[0]);
        int fd = LibC.open(file.toString(), Host.O_RDWR);
        ByteBuffer bytes = ByteBuffer.allocateDirect(3);
        bytes.put(0, (byte) 'a').put(1, (byte) 'b').put(2, (byte) 'c');
        assertEquals(3, LibC.write(fd, bytes, 3));
        LibC.close(fd);
        assertEquals("abc", Files.readString(file));
        assertEquals(-1, LibC.read(-1, bytes, 3));
        assertEquals(EBADF, LibC.errno());
    }

    @Test
    void socketGivesADescriptorOrTheFamilysError() {
        int fd = LibC.socket(NetAbi.AF_INET, NetAbi.SOCK_DGRAM | NetAbi.SOCK_CLOEXEC, 0);
        assertTrue(fd >= 0, "an IPv4 datagram socket");
        assertEquals(0, LibC.close(fd));
        assertEquals(-1, LibC.socket(-1, NetAbi.SOCK_DGRAM, 0));
        assertEquals(EAFNOSUPPORT, LibC.errno());
    }

    @Test
    void unshareWithNoFlagsIsANoOpAndUnknownFlagsAreRefused() {
        assertEquals(0, LibC.unshare(0), "no namespace asked for: nothing changes, no privilege needed");
        assertEquals(-1, LibC.unshare(1), "bit 0 is no namespace (CSIGNAL), so the flag reaches the kernel intact");
        assertEquals(EINVAL, LibC.errno());
    }

    @Test
    void strerrorReadsTheCString() {
        assertEquals("No such file or directory", LibC.strerror(ENOENT));
    }

    @Test
    void heapBuffersAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> LibC.address(ByteBuffer.allocate(8)));
    }
}
