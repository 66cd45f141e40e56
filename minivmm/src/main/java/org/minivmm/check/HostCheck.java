package org.minivmm.check;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.minivmm.host.NativeException;
import org.minivmm.kvm.Kvm;
import org.minivmm.kvm.KvmException;

/** What `minivmm check` finds out about the host before it boots the probe. */
public record HostCheck(boolean kvmPresent, String kvmProblem, KvmKind kind, List<Capability> capabilities) {

    public record Capability(String name, int value) {
        public boolean present() {
            return value > 0;
        }
    }

    public boolean kvmUsable() {
        return kvmPresent && kvmProblem == null && capabilities.stream().allMatch(Capability::present);
    }

    public static HostCheck inspect() {
        KvmKind kind = KvmKind.detect(Path.of("/sys/module"));
        if (!Files.exists(Path.of(Kvm.DEVICE))) {
            return new HostCheck(false, Kvm.DEVICE + " does not exist: load kvm_intel or kvm_amd, or run on a host with KVM",
                    kind, List.of());
        }
        List<Capability> capabilities = new ArrayList<>();
        try (Kvm kvm = Kvm.open()) {
            for (Kvm.Capability capability : Kvm.Capability.values()) {
                capabilities.add(new Capability(capability.name(), kvm.extension(capability)));
            }
            return new HostCheck(true, null, kind, capabilities);
        } catch (NativeException | KvmException e) {
            return new HostCheck(true, e.getMessage(), kind, capabilities);
        }
    }
}
