package org.minivmm.rootfs.launch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.minivmm.rootfs.launch.LaunchConfigWriter.Tag;

class LaunchConfigWriterTest {
    private static final LaunchConfig MINIMAL =
            LaunchConfig.builder().args("/bin/true").rootDevice("/dev/pmem1").build();

    /** One decoded record: where it starts in the file, its tag and its value. */
    private record Record(int offset, int tag, String value) {
        Record(Tag tag, String value) {
            this(-1, tag.code, value);
        }

        boolean sameContent(Record other) {
            return tag == other.tag && value.equals(other.value);
        }
    }

    /** Reads the records back as the init would, checking the framing on the way. */
    private static List<Record> records(byte[] file) {
        ByteBuffer buffer = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        int bodyEnd = LaunchConfigWriter.HEADER_BYTES + buffer.getInt(12);
        List<Record> records = new ArrayList<>();
        int offset = LaunchConfigWriter.HEADER_BYTES;
        while (offset < bodyEnd) {
            int tag = file[offset];
            assertArrayEquals(new byte[3], Arrays.copyOfRange(file, offset + 1, offset + 4), "reserved bytes");
            int length = buffer.getInt(offset + 4);
            int valueStart = offset + LaunchConfigWriter.RECORD_HEADER_BYTES;
            String value = new String(file, valueStart, length, StandardCharsets.UTF_8);
            records.add(new Record(offset, tag, value));
            offset = valueStart + length;
        }
        assertEquals(bodyEnd, offset, "the last record ends where the body does");
        return records;
    }

    private static void assertRecords(List<Record> expected, byte[] file) {
        List<Record> actual = records(file);
        assertEquals(expected.size(), actual.size(), actual::toString);
        for (int i = 0; i < expected.size(); i++) {
            int index = i;
            assertTrue(expected.get(i).sameContent(actual.get(i)),
                    () -> "record " + index + ": expected " + expected.get(index) + ", got " + actual.get(index));
        }
    }

    @Test
    void headerHasMagicVersionAndBodyLength() {
        byte[] file = LaunchConfigWriter.encode(MINIMAL);
        ByteBuffer buffer = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);

        assertArrayEquals("MVLAUNCH".getBytes(StandardCharsets.US_ASCII), Arrays.copyOf(file, 8));
        assertEquals(1, buffer.getInt(8));
        // ARG "/bin/true", CWD "/", USER "0", ROOT_DEVICE "/dev/pmem1", ROOT_FSTYPE "ext4", ROOT_OPTIONS "dax"
        assertEquals(6 * 8 + 9 + 1 + 1 + 10 + 4 + 3, buffer.getInt(12));
    }

    @Test
    void firstRecordSitsRightAfterTheHeader() {
        byte[] file = LaunchConfigWriter.encode(MINIMAL);

        byte[] expected = {1, 0, 0, 0, 9, 0, 0, 0, '/', 'b', 'i', 'n', '/', 't', 'r', 'u', 'e'};
        assertArrayEquals(expected, Arrays.copyOfRange(file, 16, 16 + expected.length));
        assertEquals(Tag.CWD.code, file[16 + expected.length]);
    }

    @Test
    void minimalConfigWritesItsDefaultsExplicitly() {
        byte[] file = LaunchConfigWriter.encode(MINIMAL);

        assertRecords(List.of(new Record(Tag.ARG, "/bin/true"), new Record(Tag.CWD, "/"), new Record(Tag.USER, "0"),
                new Record(Tag.ROOT_DEVICE, "/dev/pmem1"), new Record(Tag.ROOT_FSTYPE, "ext4"),
                new Record(Tag.ROOT_OPTIONS, "dax")), file);
        assertEquals(List.of(16, 33, 42, 51, 69, 81), records(file).stream().map(Record::offset).toList());
    }

    @Test
    void everyFieldHasItsRecord() {
        LaunchConfig config = LaunchConfig.builder()
                .args("/usr/bin/app", "--flag", "")
                .env("PATH", "/usr/bin").env("EMPTY", "")
                .cwd("/srv/app")
                .user("app")
                .group("staff")
                .supplementaryGids(List.of(10L, 4294967294L))
                .hostname("box")
                .rootDevice("/dev/vdb")
                .rootFstype("xfs")
                .rootOptions("")
                .terminal(true)
                .build();

        assertRecords(List.of(new Record(Tag.ARG, "/usr/bin/app"), new Record(Tag.ARG, "--flag"),
                new Record(Tag.ARG, ""), new Record(Tag.ENV, "PATH=/usr/bin"), new Record(Tag.ENV, "EMPTY="),
                new Record(Tag.CWD, "/srv/app"), new Record(Tag.USER, "app"), new Record(Tag.GROUP, "staff"),
                new Record(Tag.SUPPLEMENTARY_GID, "10"), new Record(Tag.SUPPLEMENTARY_GID, "4294967294"),
                new Record(Tag.HOSTNAME, "box"), new Record(Tag.ROOT_DEVICE, "/dev/vdb"),
                new Record(Tag.ROOT_FSTYPE, "xfs"), new Record(Tag.ROOT_OPTIONS, ""),
                new Record(Tag.TERMINAL, "1")), LaunchConfigWriter.encode(config));
    }

    @Test
    void tagsHaveTheirVersion1Codes() {
        assertEquals(List.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16), Arrays.stream(Tag.values()).map(t -> t.code).toList());
    }

    @Test
    void lengthsCountUtf8Bytes() {
        LaunchConfig config = LaunchConfig.builder().args("héllo ✓").rootDevice("/dev/pmem1").build();
        byte[] file = LaunchConfigWriter.encode(config);

        assertEquals(10, ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).getInt(16 + 4));
        assertEquals("héllo ✓", records(file).get(0).value());
    }

    @Test
    void fileIsZeroPaddedToWholeBlocks() {
        byte[] file = LaunchConfigWriter.encode(MINIMAL);
        int bodyEnd = 16 + ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).getInt(12);

        assertEquals(4096, file.length);
        assertTrue(IntStream.range(bodyEnd, file.length).allMatch(i -> file[i] == 0), "padding is zeros");
    }

    @Test
    void aBodyThatFillsTheBlockExactlyGetsNoExtraBlock() {
        int fixedBytes = 16 + 6 * 8 + 1 + 1 + 10 + 4 + 3;    // header, records but the ARG's value
        String longArg = "x".repeat(4096 - fixedBytes);
        LaunchConfig config = LaunchConfig.builder().args(longArg).rootDevice("/dev/pmem1").build();

        assertEquals(4096, LaunchConfigWriter.encode(config).length);
        LaunchConfig oneMore = LaunchConfig.builder().args(longArg + "x").rootDevice("/dev/pmem1").build();
        assertEquals(8192, LaunchConfigWriter.encode(oneMore).length);
    }

    @Test
    void thousandsOfEnvironmentEntriesGoFarBeyondTheCommandLineLimit() {
        List<String> env = IntStream.range(0, 5000).mapToObj(i -> "VARIABLE_" + i + "=value " + i).toList();
        LaunchConfig config = LaunchConfig.builder().args("/bin/sh").env(env).rootDevice("/dev/pmem1").build();
        byte[] file = LaunchConfigWriter.encode(config);

        assertTrue(file.length > 100 * 1024, "file of " + file.length + " bytes");
        assertEquals(0, file.length % 4096);
        List<String> decodedEnv = records(file).stream().filter(r -> r.tag() == Tag.ENV.code).map(Record::value)
                .toList();
        assertEquals(env, decodedEnv);
    }

    @Test
    void writeStoresTheEncodedBytes(@TempDir Path folder) throws Exception {
        Path file = folder.resolve("launch.bin");
        Files.write(file, new byte[10000]);

        LaunchConfigWriter.write(MINIMAL, file);

        assertArrayEquals(LaunchConfigWriter.encode(MINIMAL), Files.readAllBytes(file));
    }
}
