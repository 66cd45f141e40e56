package org.minivmm.rootfs.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.UUID;
import org.junit.jupiter.api.Test;

class Ext4ImageTest {
    private static final long MIB = 1 << 20;

    @Test
    void sizeIsContentPlusAFifthOrAtLeast16MibInWhole2Mib() {
        TreeMeasure small = new TreeMeasure(10, 10, 0);
        long smallInodes = Ext4Image.inodeCount(small);
        assertEquals(10 + 11 + 1024, smallInodes, "room for 1024 more files");
        long smallContent = 10 * 4096 + smallInodes * 256 + MIB;
        assertEquals(roundUp2Mib(smallContent + 16 * MIB), Ext4Image.imageBytes(small, 0));

        TreeMeasure big = new TreeMeasure(100_000, 256_000, 0); // 1000 MiB of data
        long bigContent = 256_000L * 4096 + Ext4Image.inodeCount(big) * 256 + MIB;
        assertEquals(roundUp2Mib(bigContent + bigContent / 5), Ext4Image.imageBytes(big, 0));
        assertEquals(Ext4Image.imageBytes(big, 0) + 64 * MIB, Ext4Image.imageBytes(big, 64 * MIB));
    }

    private static long roundUp2Mib(long bytes) {
        return (bytes + 2 * MIB - 1) / (2 * MIB) * (2 * MIB);
    }

    @Test
    void uuidsDeriveFromTheInput() {
        UUID uuid = Ext4Image.derivedUuid("input", "uuid");
        assertEquals(uuid, Ext4Image.derivedUuid("input", "uuid"));
        assertNotEquals(uuid, Ext4Image.derivedUuid("input", "hash_seed"));
        assertNotEquals(uuid, Ext4Image.derivedUuid("other input", "uuid"));
        assertEquals(4, uuid.version());
        assertEquals(2, uuid.variant());
    }
}
