package org.minivmm.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kernel is mapped from its file, not copied: its segments show up in the VMM's smaps as private
 * mappings of that path (the kernel merges the contiguous ones into one), two VMs share its page-cache
 * pages, and guest writes never reach the file.
 */
class ExecuteInPlaceIT {
    private static final long KIB = 1024;
    private final LiveVmms vmms = new LiveVmms();

    @TempDir(factory = OnDiskTempDir.class)
    Path directory;

    @BeforeAll
    static void kvm() {
        TestHost.requireKvm();
    }

    @AfterEach
    void stopVmms() throws InterruptedException {
        vmms.stopAll();
    }

    @Test
    void kernelSegmentsAreFileBackedSharedAndNeverWritten() throws Exception {
        // A private copy, so no other process maps these page-cache pages; synced, so they are clean.
        Path kernel = Files.copy(TestHost.probe(), directory.resolve("vmlinux-under-test"));
        try (FileChannel channel = FileChannel.open(kernel, StandardOpenOption.WRITE)) {
            channel.force(true);
        }
        byte[] hashBefore = sha256(kernel);

        Process first = startHalted(kernel);
        Smaps alone = Smaps.of(first.pid(), kernel);
        assertTrue(alone.rss() >= 2048 * KIB, "the guest read the 2 MiB pattern through a mapping of the file: " + alone);
        assertTrue(alone.anonymous() <= 8 * KIB,
                "only the page the probe wrote (and at most one boundary page) was copied: " + alone);
        assertEquals(alone.anonymous(), alone.privateDirty(), "nothing but those copies is dirty: " + alone);

        Process second = startHalted(kernel);
        Smaps firstShared = Smaps.of(first.pid(), kernel);
        Smaps secondShared = Smaps.of(second.pid(), kernel);
        assertTrue(firstShared.sharedClean() >= 2048 * KIB, "the pattern pages are shared between the VMs: " + firstShared);
        assertTrue(firstShared.pss() <= alone.pss() * 6 / 10,
                "Pss roughly halves once a second VM maps the same file: alone " + alone + ", shared " + firstShared);
        long sum = firstShared.pss() + secondShared.pss();
        assertTrue(Math.abs(sum - alone.pss()) <= alone.pss() / 10,
                "the two Pss add up to about one copy: " + firstShared + " + " + secondShared + " vs " + alone);

        for (Process vmm : List.of(first, second)) {
            vmm.destroy();
            assertTrue(vmm.waitFor(20, TimeUnit.SECONDS));
            assertEquals(143, vmm.exitValue());
        }
        assertArrayEquals(hashBefore, sha256(kernel), "a guest write reached the kernel file");
    }

    private Process startHalted(Path kernel) throws Exception {
        return vmms.start("run", "--kernel", kernel.toString(), "--mem", "64M", "--cmdline", "halt").process();
    }

    private static byte[] sha256(Path file) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file));
    }
}
