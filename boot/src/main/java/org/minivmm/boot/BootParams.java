package org.minivmm.boot;

import java.util.List;

/**
 * The zero page (Linux's struct boot_params) for the 64-bit boot protocol. A vmlinux has no setup
 * header of its own, so the fields a boot loader would normally copy from a bzImage are filled in
 * here. Offsets follow arch/x86/include/uapi/asm/bootparam.h.
 */
public final class BootParams {
    public static final int ZERO_PAGE_BYTES = 4096;
    /** E820_MAX_ENTRIES_ZEROPAGE: the room the zero page has for memory map entries. */
    public static final int MAX_E820_ENTRIES = 128;

    private static final int EXT_CMD_LINE_PTR = 0x0c8;   // boot_params.ext_cmd_line_ptr
    private static final int E820_ENTRIES = 0x1e8;       // boot_params.e820_entries
    private static final int BOOT_FLAG = 0x1fe;          // setup_header.boot_flag
    private static final int HEADER = 0x202;             // setup_header.header
    private static final int VERSION = 0x206;            // setup_header.version
    private static final int TYPE_OF_LOADER = 0x210;     // setup_header.type_of_loader
    private static final int LOADFLAGS = 0x211;          // setup_header.loadflags
    private static final int CMD_LINE_PTR = 0x228;       // setup_header.cmd_line_ptr
    private static final int KERNEL_ALIGNMENT = 0x230;   // setup_header.kernel_alignment
    private static final int CMDLINE_SIZE = 0x238;       // setup_header.cmdline_size
    private static final int E820_TABLE = 0x2d0;         // boot_params.e820_table
    private static final int E820_ENTRY_BYTES = 20;      // struct boot_e820_entry, packed

    private static final int BOOT_FLAG_MAGIC = 0xaa55;
    private static final String HEADER_MAGIC = "HdrS";
    // 2.12 is the first protocol version with ext_cmd_line_ptr; 2.15 is the current one.
    private static final int PROTOCOL_VERSION = 0x020f;
    private static final int LOADER_UNDEFINED = 0xff;
    private static final int LOADED_HIGH = 0x01;
    // The largest CONFIG_PHYSICAL_ALIGN allows, so it suits every kernel; only relocating loaders read it.
    private static final long KERNEL_ALIGNMENT_BYTES = 0x100_0000;

    private BootParams() {
    }

    /** The zero page, to be copied to {@link MemoryLayout#ZERO_PAGE_ADDR}. */
    public static GuestBlob zeroPage(List<E820Entry> e820, long cmdlineAddr, int cmdlineSizeWithoutNul) {
        if (e820.size() > MAX_E820_ENTRIES) {
            throw new IllegalArgumentException("the memory map has " + e820.size()
                    + " entries, but the zero page holds at most " + MAX_E820_ENTRIES);
        }
        if (cmdlineSizeWithoutNul < 0 || cmdlineSizeWithoutNul >= MemoryLayout.CMDLINE_MAX_BYTES) {
            throw new IllegalArgumentException("command line size " + cmdlineSizeWithoutNul
                    + " is outside 0.." + (MemoryLayout.CMDLINE_MAX_BYTES - 1));
        }
        if (cmdlineAddr < 0) {
            throw new IllegalArgumentException("command line address " + Formatting.hex(cmdlineAddr) + " is negative");
        }
        LittleEndianBytes page = new LittleEndianBytes(ZERO_PAGE_BYTES)
                .u16(BOOT_FLAG, BOOT_FLAG_MAGIC)
                .ascii(HEADER, HEADER_MAGIC)
                .u16(VERSION, PROTOCOL_VERSION)
                .u8(TYPE_OF_LOADER, LOADER_UNDEFINED)
                .u8(LOADFLAGS, LOADED_HIGH)
                .u32(CMD_LINE_PTR, cmdlineAddr & 0xffff_ffffL)
                .u32(EXT_CMD_LINE_PTR, cmdlineAddr >>> 32)
                .u32(CMDLINE_SIZE, cmdlineSizeWithoutNul)
                .u32(KERNEL_ALIGNMENT, KERNEL_ALIGNMENT_BYTES)
                .u8(E820_ENTRIES, e820.size());
        for (int i = 0; i < e820.size(); i++) {
            E820Entry entry = e820.get(i);
            int at = E820_TABLE + i * E820_ENTRY_BYTES;
            page.u64(at, entry.address()).u64(at + 8, entry.size()).u32(at + 16, entry.type());
        }
        return new GuestBlob(MemoryLayout.ZERO_PAGE_ADDR, page.toByteArray());
    }
}
