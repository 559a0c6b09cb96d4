/*
 * entry.S: the first code that runs, for both boot protocols.
 *
 * The image carries a Multiboot (v1) header with the address fields (so
 * that loaders need not understand ELF64) and a PVH ELF note
 * (XEN_ELFNOTE_PHYS32_ENTRY).  Both protocols enter in 32-bit protected
 * mode with paging off and no usable stack: Multiboot with the info
 * pointer in %ebx and 0x2badb002 in %eax, PVH with the hvm_start_info
 * pointer in %ebx.  The common path enables SSE, enters long mode on
 * page tables the assembler built (the first 4 GiB identity mapped with
 * 2 MiB pages, which paging.c then refines in place) and calls
 * hal_boot_main(protocol, info) on the boot stack.  Nothing here may touch
 * memory outside the image: the loader's data sit right after it.
 */
#include "hal/native/layout.h"

#define MB_MAGIC 0x1badb002
#define MB_FLAGS 0x00010003	/* page-aligned, memory info, addresses */

#define CR0_PE (1 << 0)
#define CR0_MP (1 << 1)
#define CR0_EM (1 << 2)
#define CR0_NE (1 << 5)
#define CR0_WP (1 << 16)
#define CR0_PG (1 << 31)
#define CR4_PAE (1 << 5)
#define CR4_OSFXSR (1 << 9)
#define CR4_OSXMMEXCPT (1 << 10)

	.section .multiboot, "a"
	.align	4
hal_mb_header:
	.long	MB_MAGIC
	.long	MB_FLAGS
	.long	-(MB_MAGIC + MB_FLAGS)
	.long	hal_mb_header		/* header_addr */
	.long	hal_image_start		/* load_addr */
	.long	hal_data_end		/* load_end_addr */
	.long	hal_bss_end		/* bss_end_addr */
	.long	hal_boot_mb		/* entry_addr */

	/* QEMU reads the descriptor as a 64-bit word: keep it 8 bytes. */
	.section .note.Xen, "a", @note
	.align	4
	.long	4			/* name size */
	.long	8			/* descriptor size */
	.long	18			/* XEN_ELFNOTE_PHYS32_ENTRY */
	.asciz	"Xen"
	.align	4
	.quad	hal_boot_pvh

	.section .boot.text, "ax"
	.code32
	.globl	hal_boot_mb
hal_boot_mb:
	movl	$HAL_PROTO_MULTIBOOT, %esi
	jmp	1f

	.globl	hal_boot_pvh
hal_boot_pvh:
	movl	$HAL_PROTO_PVH, %esi
1:	cli
	cld
	/* The boot phases (and hal_time_ns()) count from here. */
	rdtsc
	movl	%eax, hal_boot_tsc0
	movl	%edx, hal_boot_tsc0 + 4
	movl	%ebx, %edi
	movl	$hal_boot_stack_top, %esp

	movl	%cr4, %eax
	orl	$(CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT), %eax
	movl	%eax, %cr4
	movl	$hal_pml4, %eax
	movl	%eax, %cr3
	movl	$0xc0000080, %ecx	/* EFER.LME */
	rdmsr
	orl	$(1 << 8), %eax
	wrmsr
	movl	%cr0, %eax
	andl	$~CR0_EM, %eax
	orl	$(CR0_PG | CR0_WP | CR0_NE | CR0_MP | CR0_PE), %eax
	movl	%eax, %cr0
	lgdt	boot_gdtr
	ljmp	$HAL_SEL_CODE, $4f

	.code64
4:	movw	$HAL_SEL_DATA, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	xorl	%eax, %eax
	movw	%ax, %fs
	movw	%ax, %gs
	movq	$hal_boot_stack_top, %rsp
	fninit
	xchgl	%esi, %edi		/* protocol, info */
	call	hal_boot_main
5:	cli
	hlt
	jmp	5b

	.section .rodata
	.align	8
boot_gdt:
	.quad	0
	.quad	0x00af9a000000ffff	/* 64-bit code */
	.quad	0x00cf92000000ffff	/* data */
boot_gdtr:
	.word	boot_gdtr - boot_gdt - 1
	.long	boot_gdt

	/*
	 * The page tables, built here rather than by a loop at boot: the
	 * PML4 and PDPT, four page directories of present, writable 2 MiB
	 * pages for 0..4 GiB, and the 4 KiB page table paging.c puts in the
	 * first one (page 0 left out, so that NULL faults).
	 */
	.data
	.align	4096
	.globl	hal_pml4, hal_pdpt, hal_pd, hal_pt0
hal_pml4:
	.quad	hal_pdpt + 3
	.fill	511, 8, 0
hal_pdpt:
	.quad	hal_pd + 3, hal_pd + 0x1003, hal_pd + 0x2003, hal_pd + 0x3003
	.fill	508, 8, 0
hal_pd:
	.set	i, 0
	.rept	2048
	.quad	(i << 21) | 0x83
	.set	i, i + 1
	.endr
hal_pt0:
	.quad	0
	.set	i, 1
	.rept	511
	.quad	(i << 12) | 3
	.set	i, i + 1
	.endr

	/* In .data: the loader may leave .bss for the kernel to clear. */
	.globl	hal_boot_tsc0
hal_boot_tsc0:
	.quad	0

	.bss
	.align	16
hal_boot_stack:
	.space	HAL_STACK_SIZE
	.globl	hal_boot_stack_top
hal_boot_stack_top:

	.section .note.GNU-stack, "", @progbits
