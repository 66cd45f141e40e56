package org.minivmm.host;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.minivmm.abi.CHeaderValues;

/** Every constant in {@link NetAbi} against gcc and the host's headers, like KvmAbiTest for KVM. */
class NetAbiTest {
    private static final List<String> HEADERS = List.of("sched.h", "sys/ioctl.h", "sys/socket.h", "net/if.h", "netinet/in.h",
            "linux/if_tun.h", "linux/sockios.h");

    @Test
    void everyConstantMatchesTheHeadersAndNoneIsLeftOut(@TempDir Path work) throws Exception {
        Map<String, String> expressions = new LinkedHashMap<>();
        for (String same : new String[] {"TUNSETIFF", "TUNSETPERSIST", "TUNSETOFFLOAD", "TUNGETIFF", "TUNSETVNETHDRSZ",
                "IFF_TAP", "IFF_NO_PI", "IFF_VNET_HDR", "IFF_PERSIST", "IFNAMSIZ", "SIOCGIFFLAGS", "SIOCSIFFLAGS",
                "SIOCSIFADDR", "SIOCSIFNETMASK", "IFF_UP", "AF_INET", "SOCK_DGRAM", "SOCK_CLOEXEC", "CLONE_NEWNET"}) {
            expressions.put(same, same);
        }
        expressions.put("IFREQ_SIZE", "sizeof(struct ifreq)");
        expressions.put("IFREQ_FLAGS", "offsetof(struct ifreq, ifr_flags)");
        expressions.put("IFREQ_ADDR", "offsetof(struct ifreq, ifr_addr)");
        expressions.put("SOCKADDR_IN_FAMILY", "offsetof(struct sockaddr_in, sin_family)");
        expressions.put("SOCKADDR_IN_ADDR", "offsetof(struct sockaddr_in, sin_addr)");

        Map<String, Long> fromJava = CHeaderValues.javaConstants(NetAbi.class);
        assertEquals(new TreeSet<>(fromJava.keySet()), new TreeSet<>(expressions.keySet()),
                "every NetAbi constant is compared, and only those");
        Map<String, Long> fromC = CHeaderValues.compute(work, HEADERS, expressions);
        for (Map.Entry<String, String> expected : expressions.entrySet()) {
            assertEquals(fromC.get(expected.getKey()), fromJava.get(expected.getKey()),
                    () -> "NetAbi." + expected.getKey() + " differs from " + expected.getValue());
        }
    }
}
