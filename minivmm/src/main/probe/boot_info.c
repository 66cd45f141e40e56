#include "boot_info.h"

/* Everything below 4 GiB is identity-mapped, so a physical address is a pointer. */
static const void *physical(u64 paddr)
{
	return (const void *)(uintptr_t)paddr;
}

static void start_boot_info(struct boot_info *info, const char *protocol)
{
	info->protocol = protocol;
	info->error = NULL;
	info->cmdline = NULL;
	info->nr_mem = 0;
}

static void add_mem_range(struct boot_info *info, u64 addr, u64 size, u32 type)
{
	struct boot_mem_range *range = &info->mem[info->nr_mem++];
	range->addr = addr;
	range->size = size;
	range->type = type;
}

/* The fields of Linux's struct boot_params that the probe reads (arch/x86/include/uapi/asm/bootparam.h). */
struct linux_e820_entry {
	u64 addr, size;
	u32 type;
} __attribute__((packed));

struct linux_boot_params {
	u8 before_ext_cmd_line_ptr[0x0c8];
	u32 ext_cmd_line_ptr;			/* high 32 bits of the command line address */
	u8 before_e820_entries[0x1e8 - 0x0cc];
	u8 e820_entries;
	u8 before_cmd_line_ptr[0x228 - 0x1e9];
	u32 cmd_line_ptr;			/* setup_header.cmd_line_ptr */
	u8 before_e820_table[0x2d0 - 0x22c];
	struct linux_e820_entry e820_table[128];
} __attribute__((packed));

_Static_assert(offsetof(struct linux_boot_params, ext_cmd_line_ptr) == 0x0c8, "ext_cmd_line_ptr");
_Static_assert(offsetof(struct linux_boot_params, e820_entries) == 0x1e8, "e820_entries");
_Static_assert(offsetof(struct linux_boot_params, cmd_line_ptr) == 0x228, "cmd_line_ptr");
_Static_assert(offsetof(struct linux_boot_params, e820_table) == 0x2d0, "e820_table");
_Static_assert(sizeof(struct linux_e820_entry) == 20, "e820 entry");

void boot_info_from_linux64(struct boot_info *info, u64 boot_params_paddr)
{
	const struct linux_boot_params *params = physical(boot_params_paddr);

	start_boot_info(info, "linux64");
	if (!params) {
		info->error = "no boot_params (RSI = 0)";
		return;
	}
	info->cmdline = physical(params->cmd_line_ptr | (u64)params->ext_cmd_line_ptr << 32);
	if (params->e820_entries > BOOT_INFO_MAX_MEM) {
		info->error = "e820_entries above 128";
		return;
	}
	for (int i = 0; i < params->e820_entries; i++) {
		const struct linux_e820_entry *entry = &params->e820_table[i];
		add_mem_range(info, entry->addr, entry->size, entry->type);
	}
}

/* Xen's struct hvm_start_info (xen/include/public/arch-x86/hvm/start_info.h). */
#define HVM_START_MAGIC 0x336ec578

struct hvm_start_info {
	u32 magic, version, flags, nr_modules;
	u64 modlist_paddr, cmdline_paddr, rsdp_paddr;
	u64 memmap_paddr;	/* version >= 1 */
	u32 memmap_entries;	/* version >= 1 */
	u32 reserved;
};

struct hvm_memmap_entry {
	u64 addr, size;
	u32 type, reserved;
};

void boot_info_from_pvh(struct boot_info *info, u64 start_info_paddr)
{
	const struct hvm_start_info *start = physical(start_info_paddr);

	start_boot_info(info, "pvh");
	if (!start) {
		info->error = "no hvm_start_info (EBX = 0)";
		return;
	}
	if (start->magic != HVM_START_MAGIC) {
		info->error = "bad hvm_start_info magic";
		return;
	}
	info->cmdline = physical(start->cmdline_paddr);
	if (start->version < 1) {
		info->error = "hvm_start_info version 0 has no memory map";
		return;
	}
	if (start->memmap_entries > BOOT_INFO_MAX_MEM) {
		info->error = "more than 128 memory map entries";
		return;
	}
	const struct hvm_memmap_entry *entries = physical(start->memmap_paddr);
	for (u32 i = 0; i < start->memmap_entries; i++)
		add_mem_range(info, entries[i].addr, entries[i].size, entries[i].type);
}
