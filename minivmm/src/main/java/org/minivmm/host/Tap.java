package org.minivmm.host;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Consumer;
import org.minivmm.virtio.net.NetBackend;
import org.minivmm.virtio.net.VirtioNet;

/**
 * A TAP device as a virtio-net backend: the frames the guest sends come out of the host's interface,
 * and what the host sends to that interface waits in the TAP's queue until the guest takes it.
 *
 * <p>The file descriptor is non-blocking, IFF_NO_PI (no packet-information prefix) and IFF_VNET_HDR with
 * a 12-byte header, the virtio 1.x layout of struct virtio_net_hdr. The offloads are switched off
 * (TUNSETOFFLOAD 0) because the device offers none, so the kernel only ever hands over whole,
 * checksummed frames and the header is zero both ways; a frame read with a segmentation type anyway
 * is dropped. The header keeps the door open for offloads later, at the cost of 12 bytes a frame.
 */
public final class Tap implements NetBackend {
    private static final String DEVICE = "/dev/net/tun";
    private static final int ENOENT = 2;
    private static final int EPERM = 1;
    private static final int EACCES = 13;
    private static final int EBUSY = 16;
    private static final int EINVAL = 22;
    private static final int ENOBUFS = 105;
    private static final int EIO = 5;
    static final int VNET_HEADER_BYTES = VirtioNet.HEADER_BYTES;
    /** Longer than any frame a TAP hands over (its MTU is at most 65521), so a read is never short of room. */
    private static final int READ_BYTES = VNET_HEADER_BYTES + VirtioNet.MAX_FRAME_BYTES;

    private final int fd;
    private final String name;
    private final Consumer<String> warnings;
    private final ByteBuffer in = ByteBuffer.allocateDirect(READ_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    private final ByteBuffer out = ByteBuffer.allocateDirect(VNET_HEADER_BYTES + VirtioNet.MAX_FRAME_BYTES);
    private final Set<Integer> sendErrorsWarned = new HashSet<>();

    private Tap(int fd, String name, Consumer<String> warnings) {
        this.fd = fd;
        this.name = name;
        this.warnings = warnings;
    }

    /**
     * Attaches to the existing TAP interface {@code name} (made with {@code ip tuntap add dev NAME mode
     * tap}). One that does not exist is not made here: it would be down and unconfigured, and gone when
     * the VM ends. Problems the VM survives (a send refused) go to {@code warnings}, once each.
     */
    public static Tap open(String name, Consumer<String> warnings) {
        checkName(name);
        int fd = openDevice();
        try {
            attach(fd, name);
            ByteBuffer flags = ifreq(name);
            Host.ioctl(fd, "TUNGETIFF on " + name, NetAbi.TUNGETIFF, flags);
            if ((flags.getShort(NetAbi.IFREQ_FLAGS) & NetAbi.IFF_PERSIST) == 0) {
                throw new IllegalArgumentException("there is no TAP interface " + name + ": create it first"
                        + " (ip tuntap add dev " + name + " mode tap; ip link set " + name + " up)");
            }
            ByteBuffer headerBytes = ByteBuffer.allocateDirect(4).order(ByteOrder.nativeOrder()).putInt(0, VNET_HEADER_BYTES);
            Host.ioctl(fd, "TUNSETVNETHDRSZ on " + name, NetAbi.TUNSETVNETHDRSZ, headerBytes);
            Host.ioctl(fd, "TUNSETOFFLOAD on " + name, NetAbi.TUNSETOFFLOAD, 0);
            return new Tap(fd, name, warnings);
        } catch (RuntimeException e) {
            Host.close(fd);
            throw e;
        }
    }

    /**
     * Creates the TAP interface {@code name} and keeps it after this process closes it (as {@code ip
     * tuntap add} does); it lives until deleted or until its network namespace ends. Needs CAP_NET_ADMIN.
     */
    public static void createPersistent(String name) {
        checkName(name);
        int fd = openDevice();
        try {
            attach(fd, name);
            Host.ioctl(fd, "TUNSETPERSIST on " + name, NetAbi.TUNSETPERSIST, 1);
        } finally {
            Host.close(fd);
        }
    }

    /** Linux's rules for an interface name (dev_valid_name), and no '%', which would let the kernel choose it. */
    public static void checkName(String name) {
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        if (bytes.length == 0 || bytes.length >= NetAbi.IFNAMSIZ || name.equals(".") || name.equals("..")
                || name.chars().anyMatch(c -> c == '/' || c == ':' || c == '%' || Character.isWhitespace(c))) {
            throw new IllegalArgumentException("'" + name + "' is not an interface name: 1 to " + (NetAbi.IFNAMSIZ - 1)
                    + " bytes, without '/', ':', '%' or spaces");
        }
    }

    private static int openDevice() {
        int fd = LibC.open(DEVICE, Host.O_RDWR | Host.O_NONBLOCK | Host.O_CLOEXEC);
        if (fd >= 0) {
            return fd;
        }
        int errno = LibC.errno();
        throw switch (errno) {
            case ENOENT -> new IllegalArgumentException(DEVICE + " does not exist: load the tun module (modprobe tun)");
            case EACCES, EPERM -> new IllegalArgumentException("cannot open " + DEVICE + ": permission denied (it is"
                    + " normally mode 0666; is this a container without it?)");
            default -> Host.failure("open " + DEVICE);
        };
    }

    private static void attach(int fd, String name) {
        ByteBuffer request = ifreq(name);
        request.putShort(NetAbi.IFREQ_FLAGS, (short) (NetAbi.IFF_TAP | NetAbi.IFF_NO_PI | NetAbi.IFF_VNET_HDR));
        if (LibC.ioctl(fd, NetAbi.TUNSETIFF, request) == 0) {
            return;
        }
        int errno = LibC.errno();
        throw switch (errno) {
            case EPERM, EACCES -> new IllegalArgumentException("TAP " + name + ": permission denied: run as root"
                    + " (CAP_NET_ADMIN), or create it for this user (ip tuntap add dev " + name + " mode tap user USER)");
            case EBUSY -> new IllegalArgumentException("TAP " + name + " is busy: another process (another VM?) has it open");
            case EINVAL -> new IllegalArgumentException(name + " exists but is not a single-queue TAP device"
                    + " (a TUN device, a multi-queue TAP, or another kind of interface)");
            default -> Host.failure("TUNSETIFF " + name);
        };
    }

    /** A struct ifreq naming {@code name}, the rest zero. */
    static ByteBuffer ifreq(String name) {
        ByteBuffer request = ByteBuffer.allocateDirect(NetAbi.IFREQ_SIZE).order(ByteOrder.nativeOrder());
        request.put(0, name.getBytes(StandardCharsets.UTF_8));
        return request;
    }

    public int fd() {
        return fd;
    }

    public String name() {
        return name;
    }

    /** Writes a zero header and the frame. A full queue or a downed interface drops the frame, as a wire would. */
    @Override
    public boolean send(byte[] frame, int offset, int length) {
        out.clear();
        out.put(new byte[VNET_HEADER_BYTES]).put(frame, offset, length);
        long written = LibC.write(fd, out, VNET_HEADER_BYTES + length);
        if (written == VNET_HEADER_BYTES + length) {
            return true;
        }
        int errno = written < 0 ? LibC.errno() : 0;
        if (errno != Host.EAGAIN && errno != ENOBUFS && errno != EIO && sendErrorsWarned.add(errno)) {
            warnings.accept("TAP " + name + ": frames to the host are dropped: "
                    + (written < 0 ? LibC.strerror(errno) : "short write of " + written + " bytes"));
        }
        return false;
    }

    @Override
    public int receive(byte[] buffer) throws IOException {
        while (true) {
            long read = LibC.read(fd, in, READ_BYTES);
            if (read < 0) {
                int errno = LibC.errno();
                if (errno == Host.EAGAIN) {
                    return -1;
                }
                if (errno == Host.EINTR) {
                    continue;
                }
                String problem = "TAP " + name + ": reading failed, the guest receives nothing more: " + LibC.strerror(errno);
                warnings.accept(problem);
                throw new IOException(problem);
            }
            int length = (int) read - VNET_HEADER_BYTES;
            int gsoType = in.get(1);
            if (length < 0 || length > buffer.length || gsoType != 0) {
                continue; // cannot happen with offloads off; such a frame could not be given to the guest anyway
            }
            in.get(VNET_HEADER_BYTES, buffer, 0, length);
            return length;
        }
    }

    @Override
    public void close() {
        Host.close(fd);
    }

    @Override
    public String toString() {
        return "TAP " + name;
    }
}
