package org.minivmm.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.minivmm.vmm.VmConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;

class NetOptionTest {
    @Command(name = "test")
    static final class WithNet {
        @CommandLine.Mixin
        NetOption net = new NetOption();
    }

    /** Parses {@code args} as a command with the mixin would, and returns its interfaces. */
    private static List<VmConfig.Net> nets(String... args) {
        WithNet command = new WithNet();
        new CommandLine(command).parseArgs(args);
        return command.net.nets();
    }

    private static String mac(VmConfig.Net net) {
        return HexFormat.ofDelimiter(":").formatHex(net.mac());
    }

    @Test
    void noOptionAndNoneMeanNoNetwork() {
        assertEquals(List.of(), nets());
        assertEquals(List.of(), nets("--net", "none"));
    }

    @Test
    void aTapWithAndWithoutAnAddress() {
        List<VmConfig.Net> nets = nets("--net", "tap=tap0,mac=02:AB:cd:00:00:01", "--net", "mac=52:54:00:12:34:56,tap=tap1", "--net", "tap=tap2");
        assertEquals(List.of("tap0", "tap1", "tap2"), nets.stream().map(VmConfig.Net::tapName).toList());
        assertEquals("02:ab:cd:00:00:01", mac(nets.get(0)));
        assertEquals("52:54:00:12:34:56", mac(nets.get(1)));
    }

    @Test
    void theDefaultAddressIsLocallyAdministeredUnicastAndStablePerTap() {
        byte[] tap0 = NetOption.defaultMac("tap0");
        assertEquals(0x02, tap0[0], "locally administered (bit 1), unicast (bit 0 clear)");
        assertArrayEquals(tap0, NetOption.defaultMac("tap0"), "the same TAP gives the same address every run");
        assertNotEquals(mac(new VmConfig.Net("a", tap0)), mac(new VmConfig.Net("b", NetOption.defaultMac("tap1"))));
        assertArrayEquals(tap0, nets("--net", "tap=tap0").get(0).mac());
    }

    @Test
    void malformedValuesAreRefusedWithTheReason() {
        String[][] bad = {
            {"tap=", "not an interface name"}, {"tap=a/b", "not an interface name"},
            {"tap=waytoolongname16", "not an interface name"}, {"mac=02:00:00:00:00:01", "needs tap=NAME"},
            {"tap=t0,mac=02:00:00:00:00", "not a MAC address"}, {"tap=t0,mac=0g:00:00:00:00:01", "not a MAC address"},
            {"tap=t0,mac=01:00:5e:00:00:01", "multicast"}, {"tap=t0,mac=00:00:00:00:00:00", "not a usable"},
            {"tap=t0,ro", "tap=NAME[,mac="}, {"tap=t0,tap=t1", "tap=NAME[,mac="}, {"", "tap=NAME[,mac="},
        };
        for (String[] value : bad) {
            CommandLine.ParameterException error = assertThrows(CommandLine.ParameterException.class, () -> nets("--net", value[0]), value[0]);
            assertTrue(error.getMessage().contains(value[1]), value[0] + ": " + error.getMessage());
        }
    }

    @Test
    void noneStandsAloneAndATapServesOneInterface() {
        CommandLine.ParameterException mixed = assertThrows(CommandLine.ParameterException.class,
                () -> nets("--net", "none", "--net", "tap=t0"));
        assertTrue(mixed.getMessage().contains("none cannot be combined"), mixed.getMessage());
        CommandLine.ParameterException twice = assertThrows(CommandLine.ParameterException.class,
                () -> nets("--net", "tap=t0", "--net", "tap=t0,mac=02:00:00:00:00:09"));
        assertTrue(twice.getMessage().contains("given twice"), twice.getMessage());
    }
}
