package org.minivmm.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KvmKindTest {
    @Test
    void theLoadedModuleTellsTheKind(@TempDir Path sysModule) throws Exception {
        assertEquals(KvmKind.UNKNOWN, KvmKind.detect(sysModule));
        Files.createDirectory(sysModule.resolve("kvm"));
        Files.createDirectory(sysModule.resolve("kvm_pvm"));
        assertEquals(KvmKind.SOFTWARE_PVM, KvmKind.detect(sysModule));
        assertFalse(KvmKind.SOFTWARE_PVM.runsLinux());
        Files.createDirectory(sysModule.resolve("kvm_amd"));
        assertEquals(KvmKind.HARDWARE_AMD, KvmKind.detect(sysModule), "hardware wins when both are loaded");
        assertTrue(KvmKind.HARDWARE_AMD.runsLinux());
    }
}
