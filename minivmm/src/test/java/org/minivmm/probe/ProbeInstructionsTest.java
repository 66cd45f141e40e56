package org.minivmm.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Checks the built probe guest (src/main/probe). On these machines /dev/kvm is kvm_pvm, which emulates
 * kernel-mode code and ends the VM on some instructions (see kvm-on-these-machines.md in the shared notes),
 * so the probe must not contain them. Also checks the ELF layout that minivmm and QEMU rely on.
 */
class ProbeInstructionsTest {
    /** Mnemonics that end the VM with an emulation failure at CPL0, or that leave kernel mode. */
    private static final Pattern FATAL_MNEMONIC = Pattern.compile(
            "popcnt\\w*|rdtscp|crc32\\w*|xgetbv|xsave\\w*|xrstor\\w*|cmpxchg16b|int3|int|into|clac|stac|fwait|wait"
                    + "|syscall|sysenter");
    /** SSE, AVX and MMX registers: any use means vector code, which kvm_pvm cannot emulate. */
    private static final Pattern VECTOR_REGISTER = Pattern.compile("%(xmm|ymm|zmm|mm)\\d+");
    private static final Set<String> PREFIXES = Set.of("rep", "repz", "repnz", "repe", "repne", "lock", "data16",
            "data32", "addr32", "cs", "ds", "es", "fs", "gs", "ss", "bnd", "notrack");
    /** An instruction line of objdump -d: address, encoding, instruction. Continuation lines have no instruction. */
    private static final Pattern INSTRUCTION_LINE = Pattern.compile("^\\s*[0-9a-f]+:\\t[0-9a-f ]+\\t(.*)$");
    /** A section line of objdump -h; its flags are on the next line. */
    private static final Pattern SECTION_LINE = Pattern.compile("^\\s*\\d+\\s+(\\S+)\\s.*$");
    /** The code section that entry.S assembles as 32-bit (the PVH entry). */
    private static final String SECTION_32BIT = ".text32";

    private static final int PT_LOAD = 1;
    private static final int PT_NOTE = 4;
    private static final int PF_X = 1;
    private static final int PF_W = 2;
    private static final int XEN_ELFNOTE_PHYS32_ENTRY = 18;
    private static final long PAGE_SIZE = 4096;

    @Test
    void containsNoInstructionThatEndsTheVmAtCpl0() throws Exception {
        Path probe = probe();
        List<String> offending = new ArrayList<>();
        List<String> mnemonics = new ArrayList<>();
        for (String section : codeSections(probe)) {
            String options = section.equals(SECTION_32BIT) ? "att,i386" : "att";
            for (String line : run("objdump", "-d", "-M", options, "-j", section, probe.toString())) {
                Matcher instruction = INSTRUCTION_LINE.matcher(line);
                if (!instruction.matches()) {
                    continue;
                }
                String text = instruction.group(1);
                String mnemonic = mnemonic(text);
                mnemonics.add(mnemonic);
                if (FATAL_MNEMONIC.matcher(mnemonic).matches() || VECTOR_REGISTER.matcher(text).find()
                        || text.startsWith("(bad)")) {
                    offending.add(section + ": " + line.strip());
                }
            }
        }
        assertTrue(offending.isEmpty(),
                "instructions that end the VM at CPL0 on kvm_pvm:\n" + String.join("\n", offending));
        assertTrue(mnemonics.contains("out"), "no out instruction: the disassembly was not read");
        assertTrue(mnemonics.contains("hlt"), "no hlt instruction: the disassembly was not read");
    }

    @Test
    void hasMappableSegmentsAndThePvhNote() throws IOException {
        ByteBuffer elf = ByteBuffer.wrap(Files.readAllBytes(probe())).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(0x464c457f, elf.getInt(0), "ELF magic");
        assertEquals(2, elf.get(4), "ELFCLASS64");
        assertEquals(2, elf.getShort(0x10), "ET_EXEC");
        assertEquals(62, elf.getShort(0x12), "EM_X86_64");
        long entry = elf.getLong(0x18);
        long phoff = elf.getLong(0x20);
        int phentsize = elf.getShort(0x36);
        int phnum = elf.getShort(0x38);

        List<long[]> codeRanges = new ArrayList<>();
        boolean hasReadOnlyPattern = false;
        boolean hasBss = false;
        Long pvhEntry = null;
        for (int i = 0; i < phnum; i++) {
            int header = (int) (phoff + (long) i * phentsize);
            int type = elf.getInt(header);
            int flags = elf.getInt(header + 4);
            long offset = elf.getLong(header + 8);
            long vaddr = elf.getLong(header + 0x10);
            long paddr = elf.getLong(header + 0x18);
            long filesz = elf.getLong(header + 0x20);
            long memsz = elf.getLong(header + 0x28);
            long align = elf.getLong(header + 0x30);
            if (type == PT_LOAD) {
                String segment = "PT_LOAD at 0x" + Long.toHexString(paddr);
                assertTrue(paddr >= 1 << 20, segment + ": below 1 MiB");
                assertEquals(paddr % PAGE_SIZE, offset % PAGE_SIZE, segment + ": offset not congruent mod 4096");
                assertEquals(paddr, vaddr, segment + ": p_vaddr != p_paddr");
                if ((flags & PF_X) != 0) {
                    codeRanges.add(new long[] {paddr, paddr + memsz});
                }
                hasReadOnlyPattern |= (flags & (PF_X | PF_W)) == 0 && filesz >= 2 << 20;
                hasBss |= (flags & PF_W) != 0 && memsz > filesz;
            } else if (type == PT_NOTE) {
                Long found = xenPhys32Entry(elf, (int) offset, (int) filesz, Math.max(4, (int) align));
                pvhEntry = found != null ? found : pvhEntry;
            }
        }
        assertTrue(hasReadOnlyPattern, "no read-only PT_LOAD of at least 2 MiB (the pattern region)");
        assertTrue(hasBss, "no writable PT_LOAD with p_memsz > p_filesz (the bss)");
        assertTrue(inside(codeRanges, entry), "e_entry 0x" + Long.toHexString(entry) + " is not in executable code");
        assertNotNull(pvhEntry, "no PT_NOTE with a Xen XEN_ELFNOTE_PHYS32_ENTRY note");
        assertTrue(pvhEntry < 1L << 32 && inside(codeRanges, pvhEntry),
                "PVH entry 0x" + Long.toHexString(pvhEntry) + " is not 32-bit executable code");
    }

    private static Path probe() {
        String property = System.getProperty("minivmm.probe");
        assertNotNull(property, "system property minivmm.probe is not set: run the tests through Maven, which builds"
                + " the probe guest from src/main/probe and sets it");
        Path probe = Path.of(property);
        assertTrue(Files.isRegularFile(probe),
                "probe guest not found at " + probe + ": Maven builds it with make in generate-resources");
        return probe;
    }

    /** Names of the sections objdump -h flags as CODE. */
    private static List<String> codeSections(Path probe) throws Exception {
        List<String> lines = run("objdump", "-h", probe.toString());
        List<String> sections = new ArrayList<>();
        for (int i = 0; i + 1 < lines.size(); i++) {
            Matcher section = SECTION_LINE.matcher(lines.get(i));
            if (section.matches() && lines.get(i + 1).contains("CODE")) {
                sections.add(section.group(1));
            }
        }
        assertTrue(sections.contains(".text"), "objdump -h lists no .text code section: " + lines);
        return sections;
    }

    /** The instruction's mnemonic: prefixes, objdump's symbol annotations and comments removed. */
    private static String mnemonic(String instruction) {
        String code = instruction.replaceAll("#.*|<[^>]*>", "").strip();
        for (String word : code.split("\\s+")) {
            if (!PREFIXES.contains(word) && !word.startsWith("rex")) {
                return word;
            }
        }
        return "";
    }

    /** The value of the Xen PHYS32_ENTRY note among the notes at [offset, offset + size), or null. */
    private static Long xenPhys32Entry(ByteBuffer elf, int offset, int size, int align) {
        int note = offset;
        while (note + 12 <= offset + size) {
            int nameSize = elf.getInt(note);
            int descSize = elf.getInt(note + 4);
            int type = elf.getInt(note + 8);
            byte[] name = new byte[nameSize];
            elf.get(note + 12, name);
            int desc = alignUp(note + 12 + nameSize, align);
            if (type == XEN_ELFNOTE_PHYS32_ENTRY && new String(name, StandardCharsets.US_ASCII).equals("Xen\0")) {
                return switch (descSize) {
                    case 4 -> Integer.toUnsignedLong(elf.getInt(desc));
                    case 8 -> elf.getLong(desc);
                    default -> fail("Xen PHYS32_ENTRY note value has " + descSize + " bytes");
                };
            }
            note = alignUp(desc + descSize, align);
        }
        return null;
    }

    private static int alignUp(int value, int align) {
        return (value + align - 1) / align * align;
    }

    private static boolean inside(List<long[]> ranges, long address) {
        return ranges.stream().anyMatch(range -> range[0] <= address && address < range[1]);
    }

    private static List<String> run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        List<String> lines = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        assertEquals(0, process.waitFor(), String.join(" ", command) + " failed");
        return lines;
    }
}
