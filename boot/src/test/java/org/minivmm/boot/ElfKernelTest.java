package org.minivmm.boot;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ElfKernelTest {
    private static final long MIB = 1L << 20;
    private static final long KERNEL_START = 16 * MIB;
    private static final int XEN_ELFNOTE_PHYS32_ENTRY = 18;
    private static final long LINUX_KERNEL_MAP = 0xffff_ffff_8000_0000L;

    @TempDir
    Path directory;

    /** Shaped like a real vmlinux: text, data and bss segments, then a note segment. */
    private TestElf threeSegmentKernel() {
        byte[] notes = TestElf.concat(
                TestElf.elfNote("GNU", 3, new byte[] {1, 2, 3, 4, 5, 6, 7, 8}),
                TestElf.elfNote("Xen", XEN_ELFNOTE_PHYS32_ENTRY, TestElf.u32(KERNEL_START + 0x1234)));
        // Listed out of physical order to check that segments() sorts them.
        return new TestElf()
                .entry(KERNEL_START + 0x40)
                .load(0x3000, KERNEL_START + 0x200000, 0x800, 0x5000)
                .load(0x1000, KERNEL_START, 0x1800, 0x2000)
                .load(0x2000, KERNEL_START + 0x100000, 0x400, 0x1000)
                .note(0x3800, notes);
    }

    @Test
    void readsLoadSegmentsSortedByPhysicalAddress() throws Exception {
        ElfKernel kernel = ElfKernel.open(threeSegmentKernel().writeTo(directory));

        List<ElfKernel.LoadSegment> segments = kernel.segments();
        int readExecute = TestElf.PF_R | TestElf.PF_X;
        assertEquals(List.of(
                new ElfKernel.LoadSegment(0x1000, KERNEL_START, 0x1800, 0x2000, readExecute),
                new ElfKernel.LoadSegment(0x2000, KERNEL_START + 0x100000, 0x400, 0x1000, readExecute),
                new ElfKernel.LoadSegment(0x3000, KERNEL_START + 0x200000, 0x800, 0x5000, readExecute)),
                segments);
        assertEquals(KERNEL_START + 0x200000 + 0x5000, segments.get(2).physEnd());
    }

    @Test
    void physicalEntryIsTheEntryWhenItIsAlreadyPhysical() throws Exception {
        ElfKernel kernel = ElfKernel.open(threeSegmentKernel().writeTo(directory));

        assertEquals(KERNEL_START + 0x40, kernel.entry());
        assertEquals(KERNEL_START + 0x40, kernel.physicalEntry());
    }

    @Test
    void translatesAVirtualEntryThroughItsSegment() throws Exception {
        long virtualBase = LINUX_KERNEL_MAP + KERNEL_START;
        Path file = new TestElf()
                .entry(virtualBase + 0x200)
                .load(0x1000, virtualBase, KERNEL_START, 0x1000, 0x1000, TestElf.PF_R | TestElf.PF_X)
                .writeTo(directory);

        ElfKernel kernel = ElfKernel.open(file);

        assertEquals(virtualBase + 0x200, kernel.entry());
        assertEquals(KERNEL_START + 0x200, kernel.physicalEntry());
    }

    @Test
    void findsTheXenPvhEntryAmongOtherNotes() throws Exception {
        ElfKernel kernel = ElfKernel.open(threeSegmentKernel().writeTo(directory));

        assertEquals(Optional.of(KERNEL_START + 0x1234), kernel.pvhEntry());
    }

    @Test
    void hasNoPvhEntryWithoutTheXenNote() throws Exception {
        byte[] notes = TestElf.elfNote("GNU", XEN_ELFNOTE_PHYS32_ENTRY, TestElf.u32(0x1234));
        Path file = new TestElf()
                .entry(KERNEL_START)
                .load(0x1000, KERNEL_START, 0x100, 0x100)
                .note(0x1100, notes)
                .writeTo(directory);

        assertEquals(Optional.empty(), ElfKernel.open(file).pvhEntry());
    }

    @Test
    void keepsThePathItWasOpenedFrom() throws Exception {
        Path file = threeSegmentKernel().writeTo(directory);

        assertEquals(file, ElfKernel.open(file).file());
    }

    @Test
    void leavesOutLoadSegmentsThatOccupyNoMemory() throws Exception {
        Path file = new TestElf()
                .entry(KERNEL_START)
                .load(0x1000, KERNEL_START, 0x100, 0x100)
                .load(0x2000, KERNEL_START + 0x100000, 0, 0)
                .writeTo(directory);

        assertEquals(1, ElfKernel.open(file).segments().size());
    }

    @Test
    void fitsInAGuestLargeEnoughForIt() throws Exception {
        ElfKernel kernel = ElfKernel.open(threeSegmentKernel().writeTo(directory));

        assertDoesNotThrow(() -> kernel.checkFits(MemoryLayout.forRam(64 * MIB)));
    }

    @Test
    void rejectsOverlappingSegments() throws Exception {
        Path file = new TestElf()
                .entry(KERNEL_START)
                .load(0x1000, KERNEL_START, 0x1000, 0x3000)
                .load(0x3000, KERNEL_START + 0x2000, 0x1000, 0x1000)
                .writeTo(directory);
        ElfKernel kernel = ElfKernel.open(file);

        assertRejected(file, () -> kernel.checkFits(MemoryLayout.forRam(64 * MIB)), "overlapping", "0x1002000");
    }

    @Test
    void rejectsAKernelLargerThanTheGuestRam() throws Exception {
        Path file = new TestElf()
                .entry(KERNEL_START)
                .load(0x1000, KERNEL_START, 0x1000, 8 * MIB)
                .writeTo(directory);
        ElfKernel kernel = ElfKernel.open(file);

        assertRejected(file, () -> kernel.checkFits(MemoryLayout.forRam(20 * MIB)), "--mem", "20 MiB", "0x1800000");
        assertDoesNotThrow(() -> kernel.checkFits(MemoryLayout.forRam(24 * MIB)));
    }

    @Test
    void rejectsSegmentsBelowOneMebibyte() throws Exception {
        Path file = new TestElf()
                .entry(0x80000)
                .load(0x1000, 0x80000, 0x1000, 0x1000)
                .writeTo(directory);
        ElfKernel kernel = ElfKernel.open(file);

        assertRejected(file, () -> kernel.checkFits(MemoryLayout.forRam(64 * MIB)), "below 1 MiB", "vmlinux");
    }

    @Test
    void rejectsSegmentsInOrAboveTheMmioHole() throws Exception {
        long inHole = MemoryLayout.MMIO_HOLE_START + 0x200000;
        Path file = new TestElf()
                .entry(inHole)
                .load(0x1000, inHole, 0x1000, 0x1000)
                .writeTo(directory);
        ElfKernel kernel = ElfKernel.open(file);

        assertRejected(file, () -> kernel.checkFits(MemoryLayout.forRam(8L << 30)), "above 3 GiB");
    }

    @Test
    void rejectsSegmentsThatCannotBeMappedInPlace() throws Exception {
        Path file = new TestElf()
                .entry(KERNEL_START)
                .load(0x1010, KERNEL_START, 0x1000, 0x1000)
                .writeTo(directory);
        ElfKernel kernel = ElfKernel.open(file);

        assertRejected(file, () -> kernel.checkFits(MemoryLayout.forRam(64 * MIB)),
                "not page-aligned", "mapped in place", "0x1010");
    }

    @Test
    void rejectsASegmentThatRunsPastTheEndOfTheFile() throws Exception {
        byte[] whole = new TestElf().entry(KERNEL_START).load(0x1000, KERNEL_START, 0x1000, 0x1000).toBytes();
        Path file = TestElf.write(directory, Arrays.copyOf(whole, whole.length - 1));

        assertRejected(file, () -> ElfKernel.open(file), "truncated");
    }

    @Test
    void rejectsAFileCutShortInsideTheElfHeader() throws Exception {
        byte[] whole = threeSegmentKernel().toBytes();
        Path file = TestElf.write(directory, Arrays.copyOf(whole, 40));

        assertRejected(file, () -> ElfKernel.open(file), "too short", "ELF header");
    }

    @Test
    void rejectsAFileCutShortInsideTheProgramHeaders() throws Exception {
        byte[] whole = threeSegmentKernel().toBytes();
        Path file = TestElf.write(directory, Arrays.copyOf(whole, 100));

        assertRejected(file, () -> ElfKernel.open(file), "truncated", "program header");
    }

    @Test
    void rejectsMoreFileBytesThanMemoryBytes() throws Exception {
        Path file = new TestElf().entry(KERNEL_START).load(0x1000, KERNEL_START, 0x1000, 0x800).writeTo(directory);

        assertRejected(file, () -> ElfKernel.open(file), "more bytes in the file");
    }

    @Test
    void rejectsAnEntryPointOutsideEverySegment() throws Exception {
        Path file = new TestElf().entry(0x4242_4242).load(0x1000, KERNEL_START, 0x1000, 0x1000).writeTo(directory);

        assertRejected(file, () -> ElfKernel.open(file), "entry point 0x42424242");
    }

    @Test
    void rejectsAnElfWithoutLoadSegments() throws Exception {
        Path file = new TestElf()
                .entry(KERNEL_START)
                .note(0x1000, TestElf.elfNote("GNU", 3, new byte[4]))
                .writeTo(directory);

        assertRejected(file, () -> ElfKernel.open(file), "no loadable (PT_LOAD) segments");
    }

    @Test
    void rejectsAMalformedNote() throws Exception {
        byte[] note = TestElf.elfNote("Xen", XEN_ELFNOTE_PHYS32_ENTRY, TestElf.u32(0x1000));
        note[4] = 64; // descriptor size now runs past the segment
        Path file = new TestElf()
                .entry(KERNEL_START)
                .load(0x1000, KERNEL_START, 0x100, 0x100)
                .note(0x1100, note)
                .writeTo(directory);

        assertRejected(file, () -> ElfKernel.open(file), "malformed ELF note");
    }

    @Test
    void recognisesABzImage() throws Exception {
        byte[] bzImage = new byte[0x400];
        bzImage[0] = 'M';
        bzImage[1] = 'Z';
        System.arraycopy("HdrS".getBytes(), 0, bzImage, 0x202, 4);
        Path file = TestElf.write(directory, bzImage);

        assertRejected(file, () -> ElfKernel.open(file), "compressed bzImage", "uncompressed ELF vmlinux",
                "top of the kernel build tree");
    }

    @Test
    void recognisesAPeImageWithoutASetupHeader() throws Exception {
        Path file = TestElf.write(directory, new byte[] {'M', 'Z', 0, 0, 0, 0, 0, 0});

        assertRejected(file, () -> ElfKernel.open(file), "PE/EFI", "vmlinux");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "gzip, 1f 8b 08 00",
            "xz, fd 37 7a 58 5a 00",
            "zstd, 28 b5 2f fd",
            "bzip2, 42 5a 68 39",
            "lz4, 04 22 4d 18",
            "lz4, 02 21 4c 18",
            "lzma, 5d 00 00 80 00",
            "lzop, 89 4c 5a 4f 00 0d 0a 1a 0a",
    })
    void recognisesACompressedKernel(String format, String magic) throws Exception {
        Path file = TestElf.write(directory, TestElf.concat(hex(magic), new byte[64]));

        assertRejected(file, () -> ElfKernel.open(file), format + "-compressed", "decompress", "vmlinux");
    }

    @Test
    void rejectsA32BitElf() throws Exception {
        Path file = threeSegmentKernel().elfClass(1).machine(3).writeTo(directory);

        assertRejected(file, () -> ElfKernel.open(file), "32-bit ELF", "x86_64");
    }

    @Test
    void rejectsAnElfForAnotherArchitecture() throws Exception {
        Path file = threeSegmentKernel().machine(183).writeTo(directory);

        assertRejected(file, () -> ElfKernel.open(file), "arm64", "not for x86-64");
    }

    @Test
    void rejectsAnElfThatIsNotAnExecutable() throws Exception {
        Path file = threeSegmentKernel().type(1).writeTo(directory);

        assertRejected(file, () -> ElfKernel.open(file), "relocatable", "kernel module");
    }

    @Test
    void rejectsGarbage() throws Exception {
        Path file = TestElf.write(directory, "this is not a kernel at all, just some text\n".getBytes());

        assertRejected(file, () -> ElfKernel.open(file), "not an ELF kernel", "vmlinux");
    }

    @Test
    void rejectsAnEmptyFile() throws Exception {
        Path file = TestElf.write(directory, new byte[0]);

        assertRejected(file, () -> ElfKernel.open(file), "not an ELF kernel", "empty");
    }

    @Test
    void rejectsADirectory() {
        assertRejected(directory, () -> ElfKernel.open(directory), "directory");
    }

    @Test
    void reportsAMissingFileAsAnIoError() {
        Path missing = directory.resolve("no-such-vmlinux");

        assertThrows(IOException.class, () -> ElfKernel.open(missing));
    }

    private interface KernelAction {
        void run() throws Exception;
    }

    /** The failure is a KernelFormatException whose message is one sentence naming the file. */
    private static void assertRejected(Path file, KernelAction action, String... fragments) {
        KernelFormatException failure = assertThrows(KernelFormatException.class, action::run);
        String message = failure.getMessage();
        assertAll(message,
                () -> assertTrue(message.startsWith(file.toString()), "names the file"),
                () -> assertTrue(message.endsWith("."), "ends as a sentence"),
                () -> assertFalse(message.contains("\n"), "fits on one line"),
                () -> assertAll(Arrays.stream(fragments)
                        .map(fragment -> () -> assertTrue(message.contains(fragment), "mentions " + fragment))));
    }

    private static byte[] hex(String bytes) {
        String[] parts = bytes.split(" ");
        byte[] result = new byte[parts.length];
        for (int i = 0; i < parts.length; i++) {
            result[i] = (byte) Integer.parseInt(parts[i], 16);
        }
        return result;
    }
}
