package org.minivmm.host;

/**
 * Ioctl numbers, flags and struct layouts for TAP devices ({@code <linux/if_tun.h>}), interface set-up
 * ({@code <net/if.h>}, {@code <linux/sockios.h>}, {@code <netinet/in.h>}) and network namespaces
 * ({@code <sched.h>}), x86-64. NetAbiTest compiles a C program against those headers and compares
 * every value here with what gcc says.
 */
final class NetAbi {
    private NetAbi() {
    }

    // TAP ioctls on a /dev/net/tun file descriptor.
    static final long TUNSETIFF = 0x400454caL; // _IOW('T', 202, int)
    static final long TUNSETPERSIST = 0x400454cbL; // _IOW('T', 203, int)
    static final long TUNSETOFFLOAD = 0x400454d0L; // _IOW('T', 208, unsigned int)
    static final long TUNGETIFF = 0x800454d2L; // _IOR('T', 210, unsigned int)
    static final long TUNSETVNETHDRSZ = 0x400454d8L; // _IOW('T', 216, int)

    // ifr_flags for TUNSETIFF and TUNGETIFF.
    static final int IFF_TAP = 0x0002;
    static final int IFF_NO_PI = 0x1000;
    static final int IFF_VNET_HDR = 0x4000;
    static final int IFF_PERSIST = 0x0800;

    // struct ifreq: the interface name, then a union holding the flags or an address.
    static final int IFNAMSIZ = 16;
    static final int IFREQ_SIZE = 40;
    static final int IFREQ_FLAGS = 16;
    static final int IFREQ_ADDR = 16;

    // Interface set-up through a socket.
    static final long SIOCGIFFLAGS = 0x8913;
    static final long SIOCSIFFLAGS = 0x8914;
    static final long SIOCSIFADDR = 0x8916;
    static final long SIOCSIFNETMASK = 0x891c;
    static final int IFF_UP = 0x1;
    static final int AF_INET = 2;
    static final int SOCK_DGRAM = 2;
    static final int SOCK_CLOEXEC = 02000000;
    static final int SOCKADDR_IN_FAMILY = 0;
    static final int SOCKADDR_IN_ADDR = 4;

    static final int CLONE_NEWNET = 0x40000000;
}
