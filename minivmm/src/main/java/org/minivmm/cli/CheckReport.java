package org.minivmm.cli;

import java.util.stream.Collectors;
import org.minivmm.check.HostCheck;
import org.minivmm.check.ProbeGuest;

/** `minivmm check`'s findings, as text for people and as JSON for scripts. */
record CheckReport(HostCheck host, ProbeGuest.Result probe, String probeProblem) {

    boolean passed() {
        return host.kvmUsable() && probe != null && probe.passed();
    }

    String text(boolean verbose) {
        StringBuilder out = new StringBuilder();
        out.append("KVM device:   ").append(host.kvmPresent() ? "/dev/kvm present" : "missing");
        out.append(host.kvmProblem() == null ? (host.kvmPresent() ? ", usable" : "") : " but not usable: " + host.kvmProblem());
        out.append('\n');
        out.append("KVM kind:     ").append(host.kind().description()).append('\n');
        out.append("              ").append(host.kind().meaning()).append('\n');
        for (HostCheck.Capability capability : host.capabilities()) {
            out.append(String.format("capability:   %-22s %s%n", capability.name(),
                    capability.present() ? "yes (" + capability.value() + ")" : "MISSING"));
        }
        if (probe == null) {
            out.append("probe guest:  ").append(probeProblem).append('\n');
        } else {
            if (verbose) {
                probe.report().forEach(line -> out.append("  | ").append(line).append('\n'));
            }
            out.append("probe guest:  ").append(probe.verdict()).append(" (").append(probe.stopReason().detail())
                    .append(", ").append(probe.millis()).append(" ms)").append('\n');
            out.append("network:      ").append(probe.networkVerdict()).append('\n');
        }
        out.append("result:       ").append(passed() ? "OK: this host can run minivmm's VMs" : "FAILED").append('\n');
        if (passed() && !host.kind().runsLinux()) {
            out.append("note:         Linux guests need hardware virtualization; on this host they run in the nested lab.\n");
        }
        return out.toString();
    }

    String json() {
        String capabilities = host.capabilities().stream()
                .map(c -> "{\"name\":" + quote(c.name()) + ",\"value\":" + c.value() + ",\"present\":" + c.present() + "}")
                .collect(Collectors.joining(",", "[", "]"));
        String probeJson = probe == null
                ? "{\"booted\":false,\"problem\":" + quote(probeProblem) + "}"
                : "{\"booted\":true,\"passed\":" + probe.passed() + ",\"verdict\":" + quote(probe.verdict())
                        + ",\"stop\":" + quote(probe.stopReason().detail()) + ",\"millis\":" + probe.millis()
                        + ",\"network\":{\"tested\":" + (probe.noNetworkReason() == null)
                        + ",\"verdict\":" + quote(probe.networkVerdict()) + "}"
                        + ",\"report\":" + probe.report().stream().map(CheckReport::quote).collect(Collectors.joining(",", "[", "]")) + "}";
        return "{\"ok\":" + passed()
                + ",\"kvm\":{\"device\":\"/dev/kvm\",\"present\":" + host.kvmPresent() + ",\"usable\":" + host.kvmUsable()
                + ",\"problem\":" + quote(host.kvmProblem())
                + ",\"module\":" + quote(host.kind().module()) + ",\"kind\":" + quote(host.kind().name())
                + ",\"description\":" + quote(host.kind().description()) + ",\"meaning\":" + quote(host.kind().meaning())
                + ",\"runsLinux\":" + host.kind().runsLinux() + "}"
                + ",\"capabilities\":" + capabilities + ",\"probe\":" + probeJson + "}\n";
    }

    static String quote(String value) {
        if (value == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder("\"");
        for (char c : value.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> out.append(c < 0x20 ? String.format("\\u%04x", (int) c) : String.valueOf(c));
            }
        }
        return out.append('"').toString();
    }
}
