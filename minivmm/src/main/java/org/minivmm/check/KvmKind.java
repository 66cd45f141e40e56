package org.minivmm.check;

import java.nio.file.Files;
import java.nio.file.Path;

/** Which kernel module provides /dev/kvm, and what that means for the guests minivmm runs. */
public enum KvmKind {
    HARDWARE_INTEL("kvm_intel", "hardware-assisted (Intel VT-x)",
            "Linux guests run at full speed; minivmm boots containers directly."),
    HARDWARE_AMD("kvm_amd", "hardware-assisted (AMD-V)",
            "Linux guests run at full speed; minivmm boots containers directly."),
    SOFTWARE_PVM("kvm_pvm", "software-assisted (kvm_pvm)",
            "guest kernel code is emulated (about 1 us per instruction) and some instructions are not emulated,"
                    + " so a Linux guest cannot run here; small probe guests can. Linux containers need a host with"
                    + " VT-x/AMD-V, or the nested lab (scripts/kvm-lab)."),
    UNKNOWN("", "unknown", "no kvm_intel, kvm_amd or kvm_pvm module is loaded; minivmm cannot tell what this KVM can run.");

    private final String module;
    private final String description;
    private final String meaning;

    KvmKind(String module, String description, String meaning) {
        this.module = module;
        this.description = description;
        this.meaning = meaning;
    }

    public String module() {
        return module;
    }

    public String description() {
        return description;
    }

    public String meaning() {
        return meaning;
    }

    public boolean runsLinux() {
        return this == HARDWARE_INTEL || this == HARDWARE_AMD;
    }

    /** Looks at the loaded modules under {@code sysModule} (normally /sys/module). */
    public static KvmKind detect(Path sysModule) {
        for (KvmKind kind : values()) {
            if (!kind.module.isEmpty() && Files.isDirectory(sysModule.resolve(kind.module))) {
                return kind;
            }
        }
        return UNKNOWN;
    }
}
