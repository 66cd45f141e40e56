package org.minivmm.host;

import java.nio.ByteBuffer;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * A network namespace of its own for one piece of work, so that `minivmm check` can give the probe a
 * TAP with an address without touching the host's network. Namespaces belong to threads: a new thread
 * unshares one and does the work, and whatever it starts (a VM's threads) stays inside. Nothing needs
 * cleaning up: when the last thread and file in the namespace are gone, the kernel deletes it and its
 * interfaces. Needs CAP_SYS_ADMIN and CAP_NET_ADMIN, which root has.
 */
public final class PrivateNetwork {
    private PrivateNetwork() {
    }

    /** Runs {@code work} on a new thread in a new, empty network namespace and returns what it returns. */
    public static <T> T call(Callable<T> work) throws Exception {
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                if (LibC.unshare(NetAbi.CLONE_NEWNET) != 0) {
                    throw Host.failure("unshare(CLONE_NEWNET)");
                }
                result.complete(work.call());
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        }, "private-network");
        thread.start();
        try {
            return result.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw e;
        } finally {
            thread.join();
        }
    }

    /**
     * In the namespace of {@link #call}: creates the TAP {@code name}, gives it the IPv4 address
     * {@code address}/{@code prefixLength} and brings it up, so the kernel answers ARP for the address.
     */
    public static void addTap(String name, byte[] address, int prefixLength) {
        Tap.createPersistent(name);
        int socket = LibC.socket(NetAbi.AF_INET, NetAbi.SOCK_DGRAM | NetAbi.SOCK_CLOEXEC, 0);
        if (socket < 0) {
            throw Host.failure("socket(AF_INET)");
        }
        try {
            long mask = prefixLength == 0 ? 0 : 0xffffffffL << (32 - prefixLength);
            byte[] netmask = {(byte) (mask >>> 24), (byte) (mask >>> 16), (byte) (mask >>> 8), (byte) mask};
            Host.ioctl(socket, "SIOCSIFADDR " + name, NetAbi.SIOCSIFADDR, withAddress(name, address));
            Host.ioctl(socket, "SIOCSIFNETMASK " + name, NetAbi.SIOCSIFNETMASK, withAddress(name, netmask));
            ByteBuffer flags = Tap.ifreq(name);
            Host.ioctl(socket, "SIOCGIFFLAGS " + name, NetAbi.SIOCGIFFLAGS, flags);
            flags.putShort(NetAbi.IFREQ_FLAGS, (short) (flags.getShort(NetAbi.IFREQ_FLAGS) | NetAbi.IFF_UP));
            Host.ioctl(socket, "SIOCSIFFLAGS " + name, NetAbi.SIOCSIFFLAGS, flags);
        } finally {
            Host.close(socket);
        }
    }

    /** An ifreq holding a struct sockaddr_in: the family in host order, the address in network order. */
    private static ByteBuffer withAddress(String name, byte[] address) {
        ByteBuffer request = Tap.ifreq(name);
        request.putShort(NetAbi.IFREQ_ADDR + NetAbi.SOCKADDR_IN_FAMILY, (short) NetAbi.AF_INET);
        request.put(NetAbi.IFREQ_ADDR + NetAbi.SOCKADDR_IN_ADDR, address);
        return request;
    }
}
