package org.minivmm.cli;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.minivmm.host.Tap;
import org.minivmm.vmm.VmConfig;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code --net tap=NAME[,mac=xx:xx:xx:xx:xx:xx]} (repeatable) or {@code --net none}: the guest's
 * network interfaces, as virtio-net devices on existing TAP interfaces. A picocli mixin, so a command
 * gains the option with one field. Without {@code mac=} the address is derived from the TAP's name:
 * 02 (locally administered, unicast) and the first five bytes of the name's SHA-256, so a VM restarted
 * on the same TAP keeps its address and the host's neighbour caches stay right.
 */
final class NetOption {
    static final String NONE = "none";

    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    @Option(names = "--net", paramLabel = "tap=NAME[,mac=MAC]|none", converter = Converter.class,
            description = {"A network interface for the guest (repeatable, in order): a virtio-net device on the existing"
                + " TAP interface NAME (ip tuntap add dev NAME mode tap), with MAC as its address (default: 02: and five"
                + " bytes of a hash of NAME). No checksum or segmentation offloads; without IMAGE only. 'none' (the default):"
                + " no network; a container then has only loopback."})
    List<Choice> choices = List.of();

    /** One --net value: an interface, or null for {@code none}. */
    record Choice(VmConfig.Net net) {
    }

    static final class Converter implements CommandLine.ITypeConverter<Choice> {
        @Override
        public Choice convert(String value) {
            try {
                return new Choice(value.equals(NONE) ? null : parse(value));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    /** The interfaces asked for, in order: none by default or with {@code none}, which stands alone. */
    List<VmConfig.Net> nets() {
        List<VmConfig.Net> nets = new ArrayList<>();
        Set<String> taps = new HashSet<>();
        for (Choice choice : choices) {
            if (choice.net() == null && choices.size() > 1) {
                throw new CommandLine.ParameterException(command.commandLine(), "--net none cannot be combined with other --net options");
            }
            if (choice.net() != null && !taps.add(choice.net().tapName())) {
                throw new CommandLine.ParameterException(command.commandLine(),
                        "--net tap=" + choice.net().tapName() + " is given twice; a TAP serves one interface");
            }
            if (choice.net() != null) {
                nets.add(choice.net());
            }
        }
        return nets;
    }

    /** Parses "tap=NAME[,mac=MAC]", in either order. */
    static VmConfig.Net parse(String value) {
        String tap = null;
        byte[] mac = null;
        for (String part : value.split(",", -1)) {
            if (part.startsWith("tap=") && tap == null) {
                tap = part.substring(4);
                Tap.checkName(tap);
            } else if (part.startsWith("mac=") && mac == null) {
                mac = parseMac(part.substring(4));
            } else {
                throw new IllegalArgumentException("--net takes tap=NAME[,mac=xx:xx:xx:xx:xx:xx] or none, not '" + value + "'");
            }
        }
        if (tap == null) {
            throw new IllegalArgumentException("--net needs tap=NAME, in '" + value + "'");
        }
        return new VmConfig.Net(tap, mac != null ? mac : defaultMac(tap));
    }

    /** Six hexadecimal bytes separated by colons; a unicast address, since a guest cannot send from a group address. */
    static byte[] parseMac(String text) {
        String[] parts = text.split(":", -1);
        if (parts.length != 6 || !text.matches("[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}")) {
            throw new IllegalArgumentException("'" + text + "' is not a MAC address like 02:00:00:00:00:01");
        }
        byte[] mac = HexFormat.of().parseHex(text.replace(":", ""));
        if ((mac[0] & 1) != 0) {
            throw new IllegalArgumentException(text + " is a multicast address; a guest needs a unicast one"
                    + " (the first byte even, e.g. 02:...)");
        }
        if (text.equals("00:00:00:00:00:00")) {
            throw new IllegalArgumentException("00:00:00:00:00:00 is not a usable MAC address");
        }
        return mac;
    }

    /** 02 (locally administered, unicast) and the first five bytes of SHA-256 of the TAP's name. */
    static byte[] defaultMac(String tapName) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(tapName.getBytes(StandardCharsets.UTF_8));
            byte[] mac = new byte[6];
            mac[0] = 0x02;
            System.arraycopy(hash, 0, mac, 1, 5);
            return mac;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
