package org.minivmm.host;

import com.kenai.jffi.CallContext;
import com.kenai.jffi.CallingConvention;
import com.kenai.jffi.Invoker;
import com.kenai.jffi.LastError;
import com.kenai.jffi.Library;
import com.kenai.jffi.MemoryIO;
import com.kenai.jffi.Type;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The few libc functions the VMM calls, bound through jffi's call API (the core of jnr-ffi). jnr-ffi's
 * interface proxies generate bytecode at start-up, about 240 ms here; calling jffi directly costs
 * a symbol lookup per function. Results are raw: {@link Host} turns failures into exceptions.
 */
public final class LibC {
    static {
        JffiStub.useCachedCopy();
    }

    private static final Invoker INVOKER = Invoker.getInstance();
    private static final MemoryIO MEMORY = MemoryIO.getInstance();

    private static final Binding OPEN = bind("open", Type.SINT, Type.POINTER, Type.SINT);
    private static final Binding CLOSE = bind("close", Type.SINT, Type.SINT);
    private static final Binding IOCTL = bind("ioctl", Type.SINT, Type.SINT, Type.ULONG, Type.POINTER);
    private static final Binding MMAP = bind("mmap", Type.POINTER, Type.POINTER, Type.ULONG, Type.SINT, Type.SINT, Type.SINT, Type.SLONG);
    private static final Binding MUNMAP = bind("munmap", Type.SINT, Type.POINTER, Type.ULONG);
    private static final Binding PTHREAD_SELF = bind("pthread_self", Type.ULONG);
    private static final Binding PTHREAD_KILL = bind("pthread_kill", Type.SINT, Type.ULONG, Type.SINT);
    private static final Binding ISATTY = bind("isatty", Type.SINT, Type.SINT);
    private static final Binding TCGETATTR = bind("tcgetattr", Type.SINT, Type.SINT, Type.POINTER);
    private static final Binding TCSETATTR = bind("tcsetattr", Type.SINT, Type.SINT, Type.SINT, Type.POINTER);
    private static final Binding CFMAKERAW = bind("cfmakeraw", Type.VOID, Type.POINTER);
    private static final Binding STRERROR = bind("strerror", Type.POINTER, Type.SINT);
    private static final Binding EVENTFD = bind("eventfd", Type.SINT, Type.UINT, Type.SINT);
    private static final Binding READ = bind("read", Type.SLONG, Type.SINT, Type.POINTER, Type.ULONG);
    private static final Binding WRITE = bind("write", Type.SLONG, Type.SINT, Type.POINTER, Type.ULONG);
    private static final Binding POLL = bind("poll", Type.SINT, Type.POINTER, Type.ULONG, Type.SINT);
    private static final Binding SOCKET = bind("socket", Type.SINT, Type.SINT, Type.SINT, Type.SINT);
    private static final Binding UNSHARE = bind("unshare", Type.SINT, Type.SINT);

    /** A resolved libc function and the signature to call it with; errno is saved after each call. */
    private record Binding(long address, CallContext context) {
    }

    private static Binding bind(String name, Type result, Type... parameters) {
        long address = Library.getDefault().getSymbolAddress(name);
        if (address == 0) {
            throw new UnsatisfiedLinkError("libc has no " + name + ": " + Library.getLastError());
        }
        return new Binding(address, CallContext.getCallContext(result, parameters, CallingConvention.DEFAULT, true));
    }

    private LibC() {
    }

    public static int errno() {
        return LastError.getInstance().get();
    }

    public static int open(String path, int flags) {
        ByteBuffer cPath = cString(path);
        return (int) INVOKER.invokeN2(OPEN.context(), OPEN.address(), address(cPath), flags);
    }

    public static int close(int fd) {
        return (int) INVOKER.invokeN1(CLOSE.context(), CLOSE.address(), fd);
    }

    public static int ioctl(int fd, long request, long argument) {
        return (int) INVOKER.invokeN3(IOCTL.context(), IOCTL.address(), fd, request, argument);
    }

    public static int ioctl(int fd, long request, ByteBuffer argument) {
        return ioctl(fd, request, address(argument));
    }

    /** Returns the mapping's address, or -1 (MAP_FAILED) with errno set. */
    public static long mmap(long address, long length, int protection, int flags, int fd, long offset) {
        return INVOKER.invokeN6(MMAP.context(), MMAP.address(), address, length, protection, flags, fd, offset);
    }

    public static int munmap(long address, long length) {
        return (int) INVOKER.invokeN2(MUNMAP.context(), MUNMAP.address(), address, length);
    }

    public static long pthreadSelf() {
        return INVOKER.invokeN0(PTHREAD_SELF.context(), PTHREAD_SELF.address());
    }

    public static int pthreadKill(long thread, int signal) {
        return (int) INVOKER.invokeN2(PTHREAD_KILL.context(), PTHREAD_KILL.address(), thread, signal);
    }

    public static int isatty(int fd) {
        return (int) INVOKER.invokeN1(ISATTY.context(), ISATTY.address(), fd);
    }

    public static int tcgetattr(int fd, ByteBuffer termios) {
        return (int) INVOKER.invokeN2(TCGETATTR.context(), TCGETATTR.address(), fd, address(termios));
    }

    public static int tcsetattr(int fd, int when, ByteBuffer termios) {
        return (int) INVOKER.invokeN3(TCSETATTR.context(), TCSETATTR.address(), fd, when, address(termios));
    }

    public static void cfmakeraw(ByteBuffer termios) {
        INVOKER.invokeN1(CFMAKERAW.context(), CFMAKERAW.address(), address(termios));
    }

    public static int eventfd(int initialValue, int flags) {
        return (int) INVOKER.invokeN2(EVENTFD.context(), EVENTFD.address(), initialValue, flags);
    }

    public static long read(int fd, ByteBuffer buffer, long count) {
        return INVOKER.invokeN3(READ.context(), READ.address(), fd, address(buffer), count);
    }

    public static long write(int fd, ByteBuffer buffer, long count) {
        return INVOKER.invokeN3(WRITE.context(), WRITE.address(), fd, address(buffer), count);
    }

    /** poll(2) over {@code count} struct pollfd entries (8 bytes each: fd, events, revents) in {@code fds}. */
    public static int poll(ByteBuffer fds, int count, int timeoutMillis) {
        return (int) INVOKER.invokeN3(POLL.context(), POLL.address(), address(fds), count, timeoutMillis);
    }

    public static int socket(int domain, int type, int protocol) {
        return (int) INVOKER.invokeN3(SOCKET.context(), SOCKET.address(), domain, type, protocol);
    }

    /** unshare(2): for the calling thread only, as the namespaces it takes (network) are per thread. */
    public static int unshare(int flags) {
        return (int) INVOKER.invokeN1(UNSHARE.context(), UNSHARE.address(), flags);
    }

    public static String strerror(int errno) {
        long text = INVOKER.invokeN1(STRERROR.context(), STRERROR.address(), errno);
        return new String(MEMORY.getZeroTerminatedByteArray(text), StandardCharsets.UTF_8);
    }

    /** A direct buffer's native address; heap buffers cannot be passed to C. */
    public static long address(ByteBuffer buffer) {
        if (!buffer.isDirect()) {
            throw new IllegalArgumentException("only direct buffers can be passed to native code");
        }
        return MEMORY.getDirectBufferAddress(buffer);
    }

    /**
     * Raw access to memory the kernel shares with minivmm (the kvm_run page), for the exit path:
     * C1 inlines these plain calls, where it would not inline a direct ByteBuffer's accessors.
     */
    public static byte getByte(long address) {
        return MEMORY.getByte(address);
    }

    public static short getShort(long address) {
        return MEMORY.getShort(address);
    }

    public static int getInt(long address) {
        return MEMORY.getInt(address);
    }

    public static long getLong(long address) {
        return MEMORY.getLong(address);
    }

    public static void putByte(long address, byte value) {
        MEMORY.putByte(address, value);
    }

    public static void getBytes(long address, byte[] into) {
        MEMORY.getByteArray(address, into, 0, into.length);
    }

    public static void putBytes(long address, byte[] from) {
        MEMORY.putByteArray(address, from, 0, from.length);
    }

    /** A native view of [address, address + size), for memory that C code or the kernel owns. */
    public static ByteBuffer view(long address, int size) {
        return MEMORY.newDirectByteBuffer(address, size);
    }

    private static ByteBuffer cString(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        ByteBuffer buffer = ByteBuffer.allocateDirect(bytes.length + 1);
        buffer.put(bytes).put((byte) 0);
        return buffer;
    }
}
