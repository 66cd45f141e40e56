package org.minivmm.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Images mapped into guests as persistent memory, proved from inside the probe guest on the real
 * /dev/kvm: the guest sees the file's bytes, its writes stay private and never reach the file, a
 * read-only image refuses writes, and eight VMs hold one copy of an image in the host page cache.
 */
class PmemIT {
    private static final long MIB = 1 << 20;
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

    /** A read-only image of random bytes, synced so its page-cache pages are clean. */
    private Path image(String name, long bytes) throws Exception {
        Path file = directory.resolve(name);
        byte[] content = new byte[(int) bytes];
        new Random(bytes).nextBytes(content);
        Files.write(file, content);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.force(true);
        }
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("r--r--r--"));
        return file;
    }

    /** The same sum the probe computes: 64-bit little-endian words, wrapping. */
    private static long sumOfWords(Path file, long bytes) throws Exception {
        ByteBuffer words = ByteBuffer.wrap(Files.readAllBytes(file), 0, (int) bytes).order(ByteOrder.LITTLE_ENDIAN);
        long sum = 0;
        while (words.remaining() >= 8) {
            sum += words.getLong();
        }
        return sum;
    }

    private static byte[] sha256(Path file) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file));
    }

    private TestHost.Finished run(String pmem, String cmdline) throws Exception {
        return TestHost.run(TestHost.minivmm("run", "--kernel", TestHost.probe().toString(), "--pmem", pmem, "--cmdline", cmdline), "");
    }

    @Test
    void theGuestSeesTheImageAndItsWritesNeverReachTheFile() throws Exception {
        Path image = image("legacy.img", MIB);
        byte[] before = sha256(image);
        for (String how : new String[] {"", ",virtio"}) {
            TestHost.Finished run = run(image + how, "pmem-sum-kib=1024 pmem-write-kib=1024");
            String report = run.stdout();
            assertEquals(0, run.exitCode(), report + run.stderr());
            assertTrue(report.contains("probe: pmem0 0x8000000-0x10000000 (" + (how.isEmpty() ? "e820" : "virtio-pmem") + ")"), report);
            assertTrue(report.contains(String.format("probe: pmem0 sum 0x%x over 1024 KiB", sumOfWords(image, MIB))),
                    "the guest's checksum of the region equals the file's: " + report);
            assertTrue(report.contains("probe: pmem0 wrote and read back 1024 KiB"), report);
            if (!how.isEmpty()) {
                assertTrue(report.contains("flush ok"), report);
            }
            assertArrayEquals(before, sha256(image), "a guest write reached the image file");
        }
    }

    @Test
    void aDeviceCanUseABufferInPersistentMemory() throws Exception {
        Path image = image("buffer.img", MIB);
        byte[] before = sha256(image);
        byte[] disk = new byte[64 * 1024];
        System.arraycopy("MINIVMM-TEST-DISK".getBytes(), 0, disk, 0, 17);
        Path diskFile = Files.write(directory.resolve("marked.img"), disk);
        TestHost.Finished run = TestHost.run(TestHost.minivmm("run", "--kernel", TestHost.probe().toString(), "--pmem",
                image.toString(), "--disk", diskFile + ",ro", "--cmdline", "blk-into-pmem"), "");
        assertEquals(0, run.exitCode(), run.stdout() + run.stderr());
        assertTrue(run.stdout().contains("probe: virtio-blk@0xd0000000 read sector 0 into pmem at 0x8000000"), run.stdout());
        assertArrayEquals(before, sha256(image), "the disk's data landed in the VM's private copy, not in the image");
    }

    @Test
    void aReadOnlyImageRefusesWritesAndNothingIsCopied() throws Exception {
        Path image = image("ro.img", MIB);
        LiveVmms.Live vmm = vmms.start("run", "--kernel", TestHost.probe().toString(), "--pmem", image + ",ro",
                "--cmdline", "pmem-write-refused pmem-touch halt");
        assertTrue(vmm.report().contains("probe: pmem0 write refused (read-only)"), vmm.report());
        Smaps mapping = Smaps.of(vmm.pid(), image);
        assertTrue(mapping.rss() >= MIB, "the guest read the image through the mapping: " + mapping);
        assertEquals(0, mapping.anonymous(), "a refused write copied nothing: " + mapping);
    }

    @Test
    void eightVmsHoldOneCopyOfTheImageAndOnlyTheWriterGainsPrivatePages() throws Exception {
        long size = 64 * MIB;
        Path image = image("shared.img", size);
        List<Process> readers = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            readers.add(startHalted(image, "pmem-touch halt"));
        }
        long pssSum = 0;
        for (Process reader : readers) {
            Smaps mapping = Smaps.of(reader.pid(), image);
            assertTrue(mapping.rss() >= size, "each guest read all of the image: " + mapping);
            assertEquals(0, mapping.privateDirty(), mapping.toString());
            pssSum += mapping.pss();
        }
        assertTrue(Math.abs(pssSum - size) <= size / 10,
                "the image is held once in the page cache: Pss sum " + (pssSum / MIB) + " MiB for a " + (size / MIB) + " MiB image");

        Process writer = startHalted(image, "pmem-touch pmem-write-kib=1024 halt");
        Smaps written = Smaps.of(writer.pid(), image);
        assertTrue(Math.abs(written.privateDirty() - MIB) <= 64 * 1024,
                "the guest that wrote 1 MiB gained about 1 MiB of private pages: " + written);
        for (Process reader : readers) {
            assertEquals(0, Smaps.of(reader.pid(), image).privateDirty(), "the other VMs stay unaffected");
        }
    }

    private Process startHalted(Path image, String cmdline) throws Exception {
        return vmms.start("run", "--kernel", TestHost.probe().toString(), "--mem", "64M", "--pmem", image.toString(),
                "--cmdline", cmdline).process();
    }
}
