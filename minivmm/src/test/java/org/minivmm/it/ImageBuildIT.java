package org.minivmm.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** From a root filesystem to a guest that reads it through DAX: `minivmm image build`, then `run --pmem`. */
class ImageBuildIT {
    @TempDir
    static Path directory;

    @BeforeAll
    static void kvm() {
        TestHost.requireKvm();
    }

    @Test
    void aBuiltImageIsStoredReadOnlyReusedAndMappableAsPmem() throws Exception {
        Path rootfs = Files.createDirectories(directory.resolve("rootfs/etc"));
        Files.writeString(rootfs.resolve("motd"), "hello from the image\n");
        Path store = directory.resolve("store");

        TestHost.Finished first = TestHost.run(TestHost.minivmm("image", "build", rootfs.getParent().toString(), "--store", store.toString()), "");
        assertEquals(0, first.exitCode(), first.stderr());
        Path image = Path.of(first.stdout().trim());
        assertTrue(image.getFileName().toString().matches("sha256-[0-9a-f]{64}\\.ext4"), first.stdout());
        assertEquals("r--r--r--", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(image)));
        TestHost.Finished fsck = TestHost.run(List.of("e2fsck", "-fn", image.toString()), "");
        assertEquals(0, fsck.exitCode(), fsck.stdout() + fsck.stderr());

        TestHost.Finished again = TestHost.run(TestHost.minivmm("image", "build", rootfs.getParent().toString(), "--store", store.toString()), "");
        assertEquals(image.toString(), again.stdout().trim(), "the same input is found in the store");
        assertTrue(again.stderr().contains("already built"), again.stderr());

        // The guest reads the image's first 4 KiB (the ext4 boot block and superblock start) through DAX.
        TestHost.Finished run = TestHost.run(TestHost.minivmm("run", "--kernel", TestHost.probe().toString(),
                "--pmem", image.toString(), "--cmdline", "pmem-sum-kib=4"), "");
        assertEquals(0, run.exitCode(), run.stdout() + run.stderr());
        assertTrue(run.stdout().contains(String.format("probe: pmem0 sum 0x%x over 4 KiB", firstPageSum(image))), run.stdout());
        assertEquals("", run.stderr(), "an ext4 image with 4 KiB blocks raises no warning");
    }

    /** The limits guard unpacking archives (a tar bomb), so the source here is a tar. */
    @Test
    void sizeAndEntryLimitsCanBeSetAndRefuseWithAReason() throws Exception {
        Path rootfs = Files.createDirectories(directory.resolve("big/etc"));
        Files.write(rootfs.resolve("data"), new byte[8192]);
        Path tar = directory.resolve("big.tar");
        TestHost.Finished packed = TestHost.run(List.of("tar", "-C", rootfs.getParent().toString(), "-cf", tar.toString(), "."), "");
        assertEquals(0, packed.exitCode(), packed.stderr());
        TestHost.Finished tooBig = TestHost.run(TestHost.minivmm("image", "build", tar.toString(),
                "--store", directory.resolve("store-size").toString(), "--max-size", "4K"), "");
        assertEquals(125, tooBig.exitCode(), tooBig.stderr());
        assertTrue(tooBig.stderr().contains("minivmm: error: ") && tooBig.stderr().contains("total size limit"), tooBig.stderr());
        TestHost.Finished tooMany = TestHost.run(TestHost.minivmm("image", "build", tar.toString(),
                "--store", directory.resolve("store-entries").toString(), "--max-entries", "1"), "");
        assertEquals(125, tooMany.exitCode(), tooMany.stderr());
        assertTrue(tooMany.stderr().contains("entry limit"), tooMany.stderr());
    }

    @Test
    void aMissingSourceIsOneClearLine() throws Exception {
        TestHost.Finished run = TestHost.run(TestHost.minivmm("image", "build", directory.resolve("nope").toString(),
                "--store", directory.resolve("store").toString()), "");
        assertEquals(125, run.exitCode());
        assertTrue(run.stderr().startsWith("minivmm: error: ") && run.stderr().lines().count() == 1, run.stderr());
    }

    private static long firstPageSum(Path image) throws Exception {
        ByteBuffer page = ByteBuffer.wrap(Files.readAllBytes(image), 0, 4096).order(ByteOrder.LITTLE_ENDIAN);
        long sum = 0;
        while (page.hasRemaining()) {
            sum += page.getLong();
        }
        return sum;
    }
}
