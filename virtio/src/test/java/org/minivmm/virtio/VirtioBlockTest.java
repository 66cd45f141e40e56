package org.minivmm.virtio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.minivmm.memory.GuestMemory;
import org.minivmm.virtio.SimulatedDriver.Buffer;
import org.minivmm.virtio.block.VirtioBlock;

/** virtio-blk requests as Linux's driver sends them: header, data, status byte. */
class VirtioBlockTest {
    private static final long HEADER = 0x10000;
    private static final long DATA = 0x11000;
    private static final long STATUS = 0x13000;

    @TempDir
    Path directory;
    private VirtioBlock disk;
    private SimulatedDriver driver;
    private byte[] content;

    private Path diskFile(int sectors) throws Exception {
        content = new byte[sectors * 512];
        new Random(7).nextBytes(content);
        return Files.write(directory.resolve("disk.img"), content);
    }

    private void attach(Path file, boolean readOnly) throws Exception {
        disk = VirtioBlock.open(file, readOnly);
        driver = new SimulatedDriver(disk);
        assertTrue(driver.negotiate(VirtioMmio.F_VERSION_1));
        driver.setUpQueue(0, 16, 0x1000);
        driver.driverOk();
    }

    @AfterEach
    void close() throws Exception {
        if (disk != null) {
            disk.close();
        }
    }

    /** Sends one request; returns {status, bytes the device reported as written}. */
    private int[] request(int type, long sector, Buffer... data) {
        driver.memory.write(HEADER, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putInt(0, type).putLong(8, sector).array());
        driver.memory.writeByte(STATUS, (byte) 0x7f);
        List<Buffer> chain = new java.util.ArrayList<>();
        chain.add(new Buffer(HEADER, 16, false));
        chain.addAll(List.of(data));
        chain.add(new Buffer(STATUS, 1, true));
        int before = driver.usedIndex(0);
        driver.post(0, chain);
        driver.kick(0);
        assertEquals(before + 1, driver.usedIndex(0));
        return new int[] {driver.memory.readByte(STATUS), driver.used(0, before)[1]};
    }

    @Test
    void capacityComesFromTheFileSize() throws Exception {
        attach(diskFile(64), false);
        assertEquals(64, driver.read(0x100), "capacity in sectors, low word");
        assertEquals(0, driver.read(0x104));
    }

    @Test
    void readsSectorsIntoSeveralBuffers() throws Exception {
        attach(diskFile(8), false);
        int[] result = request(0, 2, new Buffer(DATA, 512, true), new Buffer(DATA + 0x1000, 512, true));
        assertEquals(0, result[0]);
        assertEquals(1025, result[1], "data plus the status byte");
        assertArrayEquals(Arrays.copyOfRange(content, 1024, 1536), driver.memory.read(DATA, 512));
        assertArrayEquals(Arrays.copyOfRange(content, 1536, 2048), driver.memory.read(DATA + 0x1000, 512));
    }

    @Test
    void writesReachTheFileAndFlushSucceeds() throws Exception {
        Path file = diskFile(8);
        attach(file, false);
        byte[] sector = new byte[512];
        Arrays.fill(sector, (byte) 0x5a);
        driver.memory.write(DATA, sector);
        assertEquals(0, request(1, 3, new Buffer(DATA, 512, false))[0]);
        assertEquals(0, request(4, 0)[0], "flush");
        assertArrayEquals(sector, Arrays.copyOfRange(Files.readAllBytes(file), 1536, 2048));
        assertArrayEquals(Arrays.copyOfRange(content, 0, 1536), Arrays.copyOfRange(Files.readAllBytes(file), 0, 1536));
    }

    @Test
    void aReadOnlyDiskOffersRoAndRefusesWrites() throws Exception {
        Path file = diskFile(8);
        attach(file, true);
        assertEquals(1L << 5, driver.deviceFeatures() & (1L << 5));
        driver.memory.write(DATA, new byte[512]);
        assertEquals(1, request(1, 0, new Buffer(DATA, 512, false))[0], "VIRTIO_BLK_S_IOERR");
        assertArrayEquals(content, Files.readAllBytes(file));
    }

    @Test
    void requestsOutsideTheDiskOrOfPartialSectorsFail() throws Exception {
        attach(diskFile(8), false);
        assertEquals(1, request(0, 8, new Buffer(DATA, 512, true))[0], "one past the end");
        assertEquals(1, request(0, 7, new Buffer(DATA, 1024, true))[0], "runs past the end");
        assertEquals(1, request(0, -1L, new Buffer(DATA, 512, true))[0], "sector 2^64-1");
        assertEquals(1, request(0, 0, new Buffer(DATA, 100, true))[0], "not whole sectors");
        assertEquals(2, request(99, 0)[0], "unknown type: VIRTIO_BLK_S_UNSUPP");
        assertEquals(0, request(0, 0, new Buffer(DATA, 512, true))[0], "the disk goes on after bad requests");
    }

    @Test
    void aReadIntoReadOnlyGuestMemoryFailsThatRequestOnly() throws Exception {
        disk = VirtioBlock.open(diskFile(8), false);
        ByteBuffer ram = ByteBuffer.allocateDirect(1 << 20);
        ByteBuffer image = ByteBuffer.allocateDirect(0x1000).asReadOnlyBuffer();
        SimulatedDriver withImage = new SimulatedDriver(disk, GuestMemory.of(List.of(
                new GuestMemory.Region(0, ram), new GuestMemory.Region(1 << 20, image))));
        driver = withImage;
        assertTrue(driver.negotiate(VirtioMmio.F_VERSION_1));
        driver.setUpQueue(0, 16, 0x1000);
        driver.driverOk();
        assertEquals(1, request(0, 0, new Buffer(1 << 20, 512, true))[0], "VIRTIO_BLK_S_IOERR");
        assertEquals(0, request(0, 0, new Buffer(DATA, 512, true))[0], "the disk goes on");
    }

    @Test
    void getIdReturnsTheFileName() throws Exception {
        attach(diskFile(8), false);
        request(8, 0, new Buffer(DATA, 20, true));
        assertEquals("disk.img", new String(driver.memory.read(DATA, 8)));
    }

    @Test
    void aFileThatIsNotWholeSectorsIsRefusedWithAReason() throws Exception {
        Path odd = Files.write(directory.resolve("odd.img"), new byte[1000]);
        IllegalArgumentException refusal = assertThrows(IllegalArgumentException.class, () -> VirtioBlock.open(odd, false));
        assertTrue(refusal.getMessage().contains("512-byte sectors"), refusal.getMessage());
    }
}
