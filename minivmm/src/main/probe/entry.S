/*
 * The two ways into the probe. Both reach probe_main(protocol, boot struct
 * physical address) in 64-bit mode on the probe's own stack, with the selectors
 * of the Linux boot protocol: CS = 0x10, DS = ES = SS = 0x18.
 */
#include "layout.h"

#define BOOT_CS 0x10
#define BOOT_DS 0x18

#define MSR_EFER  0xc0000080
#define EFER_LME  (1 << 8)
#define CR0_PG    (1 << 31)
#define CR4_PAE   (1 << 5)

#define PTE_PRESENT_WRITABLE 0x3
#define PTE_LARGE            0x80   /* a 2 MiB page in a page directory */

#define XEN_ELFNOTE_PHYS32_ENTRY 18

	.section .text.entry, "ax"
	.code64

/*
 * ELF e_entry, Linux 64-bit boot protocol: long mode with the VMM's identity
 * paging and flat GDT, interrupts off, RSI = struct boot_params.
 */
	.globl linux64_entry
linux64_entry:
	mov	$PROTOCOL_LINUX64, %edi
	jmp	start64

/* EDI = protocol, RSI = boot struct physical address. */
start64:
	cld				/* the C ABI assumes DF = 0 */
	mov	$stack_top, %rsp
	call	probe_main		/* never returns */

/*
 * PVH entry (XEN_ELFNOTE_PHYS32_ENTRY): 32-bit protected mode, paging off,
 * flat segments, EBX = struct hvm_start_info. Switch to long mode with our own
 * page tables and GDT, keeping EBX. In a section of its own so that tools can
 * disassemble it as 32-bit code.
 */
	.section .text32, "ax"
	.code32
	.globl pvh_entry
pvh_entry:
	lgdt	pvh_gdt_descriptor
	mov	%cr4, %eax
	or	$CR4_PAE, %eax
	mov	%eax, %cr4
	mov	$pvh_pml4, %eax
	mov	%eax, %cr3
	mov	$MSR_EFER, %ecx
	rdmsr
	or	$EFER_LME, %eax
	wrmsr
	mov	%cr0, %eax
	or	$CR0_PG, %eax
	mov	%eax, %cr0		/* now in compatibility mode */
	ljmp	$BOOT_CS, $pvh_entry64

	.section .text.entry, "ax"
	.code64
pvh_entry64:
	mov	$BOOT_DS, %eax
	mov	%eax, %ds
	mov	%eax, %es
	mov	%eax, %ss
	mov	%eax, %fs
	mov	%eax, %gs
	mov	$PROTOCOL_PVH, %edi
	mov	%ebx, %esi		/* zero-extends into RSI */
	jmp	start64

/*
 * The PVH note QEMU and Xen look for. The value is 8 bytes wide, as in Linux,
 * because QEMU reads a size_t from it.
 */
	.section .note.Xen, "a", @note
	.balign 4
	.long	4			/* name size, "Xen\0" */
	.long	8			/* value size */
	.long	XEN_ELFNOTE_PHYS32_ENTRY
	.asciz	"Xen"
	.balign 4
	.quad	pvh_entry

/*
 * GDT and identity page tables for the PVH path, in data because the CPU sets
 * accessed bits in them. Built by the assembler, so no setup loop runs in the
 * guest (every kernel-mode instruction is emulated on kvm_pvm).
 */
	.section .data.pvh, "aw"

/* The first 4 GiB with 2 MiB pages: one PML4, one PDPT, four page directories. */
	.balign PAGE_SIZE
pvh_pml4:
	.quad	pvh_pdpt + PTE_PRESENT_WRITABLE
	.fill	511, 8, 0
pvh_pdpt:
	.quad	pvh_page_directories + 0 * PAGE_SIZE + PTE_PRESENT_WRITABLE
	.quad	pvh_page_directories + 1 * PAGE_SIZE + PTE_PRESENT_WRITABLE
	.quad	pvh_page_directories + 2 * PAGE_SIZE + PTE_PRESENT_WRITABLE
	.quad	pvh_page_directories + 3 * PAGE_SIZE + PTE_PRESENT_WRITABLE
	.fill	508, 8, 0
pvh_page_directories:
	.set	.Lphysical, 0
	.rept	4 * 512
	.quad	.Lphysical + PTE_LARGE + PTE_PRESENT_WRITABLE
	.set	.Lphysical, .Lphysical + 0x200000
	.endr

	.balign 8
pvh_gdt:
	.quad	0			/* null */
	.quad	0			/* unused: keeps the Linux selector numbers */
	.quad	0x00af9a000000ffff	/* 0x10: 64-bit code */
	.quad	0x00cf92000000ffff	/* 0x18: flat data */
pvh_gdt_end:
pvh_gdt_descriptor:
	.word	pvh_gdt_end - pvh_gdt - 1
	.long	pvh_gdt

/* Part of the data segment's zero-filled tail, but not checked: it is in use. */
	.section .stack, "aw", @nobits
	.balign 16
	.skip	STACK_BYTES

	.section .note.GNU-stack, "", @progbits
