/*
 * kvm-loop: the smallest VMM that boots the probe guest the way minivmm does, so that
 * scripts/bench-exits can compare minivmm's PIO exit round trip against plain C.
 *
 *   kvm-loop KERNEL.elf "COMMAND LINE"
 *
 * Guest serial output goes to stdout; the process exits with the status the guest writes to
 * port 0x501. On stderr it prints "kvm-loop: tsc-khz N", the rate KVM runs the guest's TSC at
 * (KVM_GET_TSC_KHZ), which turns the guest's cycle counts into time.
 *
 * Per exit it does what minivmm does: look the port up in a table of device windows and call
 * a small handler. Only that loop is compared, so the setup takes shortcuts: the PT_LOAD
 * segments are copied into RAM rather than mapped from the file, and there is no MP table,
 * TSS descriptor, LAPIC wiring or CPUID adjustment. Addresses and register state follow
 * minivmm's boot module (MemoryLayout, PageTables, LongModeEntry, BootParams).
 */
#include <elf.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define RAM_BYTES        (64ul << 20)	/* as the benchmark's --mem 64M for minivmm */
#define GDT_ADDR         0x500
#define ZERO_PAGE_ADDR   0x7000
#define BOOT_STACK_TOP   0x8ff0
#define PML4_ADDR        0x9000	/* then the PDPT at 0xa000 and four page directories */
#define CMDLINE_ADDR     0x20000
#define CMDLINE_MAX      2048
#define EBDA_START       0x9fc00
#define HIMEM_START      0x100000
#define TSS_ADDR         0xfffbd000ul	/* KVM needs these pages on Intel; they sit in the MMIO hole */
#define IDENTITY_MAP_ADDR 0xfffbc000ul

/* struct boot_params offsets (arch/x86/include/uapi/asm/bootparam.h). */
#define BP_E820_ENTRIES  0x1e8
#define BP_CMD_LINE_PTR  0x228
#define BP_E820_TABLE    0x2d0

#define COM1_BASE        0x3f8
#define EXIT_PORT        0x501

static __attribute__((noreturn, format(printf, 1, 2))) void die(const char *format, ...)
{
	va_list args;
	va_start(args, format);
	fputs("kvm-loop: ", stderr);
	vfprintf(stderr, format, args);
	fputc('\n', stderr);
	va_end(args);
	exit(125);
}

static int checked_ioctl(int fd, unsigned long request, unsigned long argument, const char *name)
{
	int result = ioctl(fd, request, argument);
	if (result < 0)
		die("%s: %m", name);
	return result;
}

#define IOCTL(fd, request, argument) checked_ioctl(fd, request, (unsigned long)(argument), #request)

/* --- The port bus: a table of windows, looked up per exit like minivmm's Bus. --- */

struct port_device {
	uint16_t base, size;
	void (*read)(uint16_t offset, uint8_t *data, uint32_t size);
	void (*write)(uint16_t offset, const uint8_t *data, uint32_t size);
};

/* Set by the exit port; the run loop checks it on every exit, as minivmm checks its stop flag. */
static int exit_status = -1;

static void serial_read(uint16_t offset, uint8_t *data, uint32_t size)
{
	enum { LSR = 5, LSR_TX_EMPTY = 0x20 | 0x40 };
	memset(data, 0, size);
	if (offset == LSR)
		data[0] = LSR_TX_EMPTY;	/* the probe polls this before every character */
}

static void serial_write(uint16_t offset, const uint8_t *data, uint32_t size)
{
	(void)size;
	if (offset == 0)	/* THR */
		putchar(data[0]);
}

static void exit_port_read(uint16_t offset, uint8_t *data, uint32_t size)
{
	(void)offset;
	memset(data, 0, size);
}

static void exit_port_write(uint16_t offset, const uint8_t *data, uint32_t size)
{
	(void)offset, (void)size;
	exit_status = data[0];
}

static const struct port_device port_devices[] = {
	{ COM1_BASE, 8, serial_read, serial_write },
	{ EXIT_PORT, 1, exit_port_read, exit_port_write },
};

static const struct port_device *find_port_device(uint16_t port, uint32_t size)
{
	for (size_t i = 0; i < sizeof port_devices / sizeof port_devices[0]; i++) {
		const struct port_device *device = &port_devices[i];
		if (port >= device->base && port + size <= device->base + device->size)
			return device;
	}
	return NULL;
}

/* Unclaimed ports behave like an empty ISA bus: writes vanish, reads see all ones. */
static void handle_port_io(struct kvm_run *run)
{
	uint8_t *data = (uint8_t *)run + run->io.data_offset;
	for (uint32_t i = 0; i < run->io.count; i++, data += run->io.size) {
		const struct port_device *device = find_port_device(run->io.port, run->io.size);
		if (run->io.direction == KVM_EXIT_IO_OUT) {
			if (device)
				device->write(run->io.port - device->base, data, run->io.size);
		} else if (device) {
			device->read(run->io.port - device->base, data, run->io.size);
		} else {
			memset(data, 0xff, run->io.size);
		}
	}
}

/* --- Boot: the probe's segments, minivmm's page tables, GDT and zero page. --- */

/* Returns the entry point. RAM is fresh anonymous memory, so the bss is already zero. */
static uint64_t load_kernel(uint8_t *ram, const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0)
		die("%s: %m", path);
	if ((size_t)st.st_size < sizeof(Elf64_Ehdr))
		die("%s: too short for an ELF header", path);
	const uint8_t *file = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (file == MAP_FAILED)
		die("mmap %s: %m", path);
	close(fd);

	const Elf64_Ehdr *header = (const void *)file;
	if (memcmp(header->e_ident, ELFMAG, SELFMAG) || header->e_ident[EI_CLASS] != ELFCLASS64
	    || header->e_phoff + (uint64_t)header->e_phnum * sizeof(Elf64_Phdr) > (uint64_t)st.st_size)
		die("%s: not a 64-bit ELF file", path);
	const Elf64_Phdr *segments = (const void *)(file + header->e_phoff);
	for (int i = 0; i < header->e_phnum; i++) {
		const Elf64_Phdr *segment = &segments[i];
		if (segment->p_type != PT_LOAD)
			continue;
		if (segment->p_filesz > segment->p_memsz || segment->p_paddr + segment->p_memsz > RAM_BYTES
		    || segment->p_offset + segment->p_filesz > (uint64_t)st.st_size)
			die("%s: segment %d does not fit the file or %lu MiB of RAM", path, i, RAM_BYTES >> 20);
		memcpy(ram + segment->p_paddr, file + segment->p_offset, segment->p_filesz);
	}
	uint64_t entry = header->e_entry;
	munmap((void *)file, st.st_size);
	return entry;
}

/* Identity map of the first 4 GiB in 2 MiB pages, as in minivmm's PageTables. */
static void write_page_tables(uint8_t *ram)
{
	enum { PRESENT_WRITABLE = 0x3, LARGE_PAGE = 0x80 };
	uint64_t *pml4 = (uint64_t *)(ram + PML4_ADDR);
	uint64_t *pdpt = pml4 + 512, *directories = pdpt + 512;
	pml4[0] = (PML4_ADDR + 0x1000) | PRESENT_WRITABLE;
	for (int gib = 0; gib < 4; gib++)
		pdpt[gib] = (PML4_ADDR + 0x2000 + gib * 0x1000) | PRESENT_WRITABLE;
	for (uint64_t page = 0; page < 4 * 512; page++)
		directories[page] = page << 21 | PRESENT_WRITABLE | LARGE_PAGE;
}

static void write_zero_page(uint8_t *ram, const char *cmdline)
{
	if (strlen(cmdline) >= CMDLINE_MAX)
		die("command line longer than %d bytes", CMDLINE_MAX - 1);
	strcpy((char *)ram + CMDLINE_ADDR, cmdline);

	struct e820_entry { uint64_t addr, size; uint32_t type; } __attribute__((packed));
	enum { E820_RAM = 1, E820_RESERVED = 2 };
	const struct e820_entry e820[] = {	/* minivmm's map: the EBDA..1 MiB hole reserved */
		{ 0, EBDA_START, E820_RAM },
		{ EBDA_START, HIMEM_START - EBDA_START, E820_RESERVED },
		{ HIMEM_START, RAM_BYTES - HIMEM_START, E820_RAM },
	};
	uint8_t *zero_page = ram + ZERO_PAGE_ADDR;
	uint32_t cmdline_addr = CMDLINE_ADDR;
	memcpy(zero_page + BP_CMD_LINE_PTR, &cmdline_addr, sizeof cmdline_addr);
	zero_page[BP_E820_ENTRIES] = sizeof e820 / sizeof e820[0];
	memcpy(zero_page + BP_E820_TABLE, e820, sizeof e820);
}

/* Long mode with the Linux boot GDT: CS 0x10, DS 0x18, paging on, RSI at the zero page. */
static void enter_long_mode(int vcpu, uint8_t *ram, uint64_t entry)
{
	const uint64_t gdt[] = { 0, 0, 0x00af9b000000ffff, 0x00cf93000000ffff };
	memcpy(ram + GDT_ADDR, gdt, sizeof gdt);

	struct kvm_sregs sregs;
	IOCTL(vcpu, KVM_GET_SREGS, &sregs);
	struct kvm_segment code = { .limit = 0xffffffff, .selector = 0x10, .type = 11, .present = 1,
				    .s = 1, .l = 1, .g = 1 };
	struct kvm_segment data = { .limit = 0xffffffff, .selector = 0x18, .type = 3, .present = 1,
				    .s = 1, .db = 1, .g = 1 };
	sregs.cs = code;
	sregs.ds = sregs.es = sregs.fs = sregs.gs = sregs.ss = data;
	sregs.gdt.base = GDT_ADDR;
	sregs.gdt.limit = sizeof gdt - 1;
	sregs.cr0 = 1u << 31 | 1 << 4 | 1;	/* PG, ET, PE */
	sregs.cr3 = PML4_ADDR;
	sregs.cr4 = 1 << 5;			/* PAE */
	sregs.efer = 1 << 10 | 1 << 8;		/* LMA, LME */
	IOCTL(vcpu, KVM_SET_SREGS, &sregs);

	struct kvm_regs regs = { .rip = entry, .rsp = BOOT_STACK_TOP, .rsi = ZERO_PAGE_ADDR, .rflags = 2 };
	IOCTL(vcpu, KVM_SET_REGS, &regs);
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: kvm-loop KERNEL.elf \"COMMAND LINE\"\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);	/* lines reach a pipe as they come, even if the guest hangs */

	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0)
		die("/dev/kvm: %m");
	int vm = IOCTL(kvm, KVM_CREATE_VM, 0);
	/* The platform minivmm gives every guest, so KVM takes the same paths on each exit. */
	uint64_t identity_map_addr = IDENTITY_MAP_ADDR;
	IOCTL(vm, KVM_SET_IDENTITY_MAP_ADDR, &identity_map_addr);
	IOCTL(vm, KVM_SET_TSS_ADDR, TSS_ADDR);
	IOCTL(vm, KVM_CREATE_IRQCHIP, 0);
	struct kvm_pit_config pit = { .flags = KVM_PIT_SPEAKER_DUMMY };
	IOCTL(vm, KVM_CREATE_PIT2, &pit);

	uint8_t *ram = mmap(NULL, RAM_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (ram == MAP_FAILED)
		die("mmap guest RAM: %m");
	struct kvm_userspace_memory_region region = {
		.slot = 0, .guest_phys_addr = 0, .memory_size = RAM_BYTES, .userspace_addr = (uint64_t)ram };
	IOCTL(vm, KVM_SET_USER_MEMORY_REGION, &region);

	uint64_t entry = load_kernel(ram, argv[1]);
	write_page_tables(ram);
	write_zero_page(ram, argv[2]);

	int vcpu = IOCTL(vm, KVM_CREATE_VCPU, 0);
	struct { struct kvm_cpuid2 header; struct kvm_cpuid_entry2 entries[256]; } cpuid = { .header.nent = 256 };
	IOCTL(kvm, KVM_GET_SUPPORTED_CPUID, &cpuid);
	IOCTL(vcpu, KVM_SET_CPUID2, &cpuid);
	enter_long_mode(vcpu, ram, entry);
	fprintf(stderr, "kvm-loop: tsc-khz %d\n", IOCTL(vcpu, KVM_GET_TSC_KHZ, 0));

	int run_size = IOCTL(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	struct kvm_run *run = mmap(NULL, run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED)
		die("mmap kvm_run: %m");

	while (exit_status < 0) {
		IOCTL(vcpu, KVM_RUN, 0);
		switch (run->exit_reason) {
		case KVM_EXIT_IO:
			handle_port_io(run);
			break;
		case KVM_EXIT_INTERNAL_ERROR:
			die("KVM internal error, suberror %u", run->internal.suberror);
		default:
			die("unexpected exit reason %u", run->exit_reason);
		}
	}
	return exit_status;
}
