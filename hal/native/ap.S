/*
 * ap.S: the start-up code of the other CPUs (application processors).
 *
 * smp.c copies the bytes between hal_ap_blob and hal_ap_blob_end to
 * HAL_AP_BASE and sends INIT-SIPI-SIPI with vector HAL_AP_BASE >> 12: the
 * CPU starts here in real mode with %cs = HAL_AP_BASE >> 4 and %ip = 0.
 * The code must not depend on where it was linked, except for the final
 * absolute jump to hal_ap_main().  It marks the page as reached, goes
 * through 32-bit protected mode to long mode on the kernel's page tables
 * (the parameters at HAL_AP_CR3, HAL_AP_STACK, HAL_AP_CPU in the same
 * page) and calls hal_ap_main(cpu) on the CPU's own stack.
 */
#include "hal/native/layout.h"

#define REL(x) (HAL_AP_BASE + (x) - hal_ap_blob)
#define AP_ALIVE 0xfe0

	.section .rodata
	.align	16
	.globl	hal_ap_blob
hal_ap_blob:
	.code16
	cli
	cld
	movw	%cs, %ax
	movw	%ax, %ds
	movl	$1, AP_ALIVE
	lgdtl	ap_gdtr - hal_ap_blob
	movl	%cr0, %eax
	orl	$1, %eax
	movl	%eax, %cr0
	ljmpl	$0x18, $REL(ap_32)

	.code32
ap_32:
	movw	$0x10, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	movl	%cr4, %eax
	/* PAE, OSFXSR, OSXMMEXCPT */
	orl	$((1 << 5) | (1 << 9) | (1 << 10)), %eax
	movl	%eax, %cr4
	movl	HAL_AP_BASE + HAL_AP_CR3, %eax
	movl	%eax, %cr3
	movl	$0xc0000080, %ecx	/* EFER.LME */
	rdmsr
	orl	$(1 << 8), %eax
	wrmsr
	movl	%cr0, %eax
	andl	$~(1 << 2), %eax	/* no EM */
	orl	$((1 << 31) | (1 << 16) | (1 << 5) | (1 << 1)), %eax
	movl	%eax, %cr0
	ljmp	$0x08, $REL(ap_64)

	.code64
ap_64:
	movw	$0x10, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	movq	HAL_AP_BASE + HAL_AP_STACK, %rsp
	movl	HAL_AP_BASE + HAL_AP_CPU, %edi
	fninit
	movabsq	$hal_ap_main, %rax
	callq	*%rax
1:	cli
	hlt
	jmp	1b

	.align	8
	/*
	 * The 64-bit code and the data descriptors are those of every
	 * CPU's own GDT, at the same selectors (HAL_SEL_CODE, HAL_SEL_DATA),
	 * so that desc.c need not load the segment registers again.
	 */
ap_gdt:
	.quad	0
	.quad	0x00af9a000000ffff	/* 0x08: 64-bit code */
	.quad	0x00cf92000000ffff	/* 0x10: data */
	.quad	0x00cf9a000000ffff	/* 0x18: 32-bit code */
ap_gdtr:
	.word	ap_gdtr - ap_gdt - 1
	.long	REL(ap_gdt)
	.globl	hal_ap_blob_end
hal_ap_blob_end:

	.section .note.GNU-stack, "", @progbits
