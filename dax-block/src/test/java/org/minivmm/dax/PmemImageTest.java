package org.minivmm.dax;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PmemImageTest {
    @TempDir
    Path directory;
    private final List<String> warnings = new ArrayList<>();

    /** A file with an ext4 superblock claiming 2^(10 + logBlockSize)-byte blocks. */
    private Path ext4(String name, int logBlockSize, String permissions) throws Exception {
        ByteBuffer image = ByteBuffer.allocate(8192).order(ByteOrder.LITTLE_ENDIAN);
        image.putInt(1024 + 0x18, logBlockSize).putShort(1024 + 0x38, (short) 0xEF53);
        Path file = Files.write(directory.resolve(name), image.array());
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(permissions));
        return file;
    }

    @Test
    void anExt4ImageWith4KiBBlocksThatOnlyItsOwnerCanWriteIsAccepted() throws Exception {
        PmemImage image = PmemImage.check(ext4("rootfs.ext4", 2, "r--r--r--"), true, false, warnings::add);
        assertEquals(8192, image.size());
        assertTrue(warnings.isEmpty(), warnings.toString());
        assertTrue(image.unchangedSince());
        PmemImage.check(ext4("owned.ext4", 2, "rw-r--r--"), false, false, warnings::add);
    }

    @Test
    void anImageOthersCanWriteIsRefusedWithTheReason() throws Exception {
        for (String permissions : new String[] {"rw-rw-r--", "rw-r--rw-"}) {
            Path file = ext4("shared-" + permissions + ".ext4", 2, permissions);
            ImageRuleException refusal = assertThrows(ImageRuleException.class, () -> PmemImage.check(file, false, false, warnings::add));
            assertTrue(refusal.getMessage().contains("writable by others") && refusal.getMessage().contains("chmod go-w"),
                    refusal.getMessage());
        }
    }

    @Test
    void ext4WithOtherBlockSizesIsRefusedAndUnknownFilesystemsWarn() throws Exception {
        ImageRuleException refusal = assertThrows(ImageRuleException.class,
                () -> PmemImage.check(ext4("1k.ext4", 0, "r--r--r--"), false, false, warnings::add));
        assertTrue(refusal.getMessage().contains("1024-byte blocks") && refusal.getMessage().contains("-b 4096"), refusal.getMessage());
        Path raw = Files.write(directory.resolve("raw.img"), new byte[4096]);
        Files.setPosixFilePermissions(raw, PosixFilePermissions.fromString("r--r--r--"));
        PmemImage.check(raw, false, false, warnings::add);
        assertEquals(1, warnings.size());
        assertTrue(warnings.get(0).contains("does not hold an ext2/3/4 filesystem"), warnings.get(0));
    }

    @Test
    void missingEmptyAndNonRegularFilesAreRefused() throws Exception {
        assertThrows(NoSuchFileException.class, () -> PmemImage.check(directory.resolve("nope"), false, false, warnings::add));
        Path empty = Files.createFile(directory.resolve("empty"));
        Files.setPosixFilePermissions(empty, PosixFilePermissions.fromString("r--r--r--"));
        assertThrows(ImageRuleException.class, () -> PmemImage.check(empty, false, false, warnings::add));
        assertThrows(ImageRuleException.class, () -> PmemImage.check(directory, false, false, warnings::add));
    }

    @Test
    void aChangeToTheFileIsNoticed() throws Exception {
        Path file = ext4("changing.ext4", 2, "rw-r--r--");
        PmemImage image = PmemImage.check(file, false, false, warnings::add);
        Files.write(file, new byte[100], java.nio.file.StandardOpenOption.APPEND);
        assertFalse(image.unchangedSince());
    }
}
