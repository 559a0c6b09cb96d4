/*
 * empty.S: the smallest PVH guest, the floor for boot-time and idle-cost
 * benchmarks.  QEMU enters it in 32-bit protected mode.  Built plain, it
 * writes 0 to isa-debug-exit at once (QEMU exits with status 1); built
 * with -DHALT it halts forever with interrupts off, doing nothing.
 */
	.section .note.pvh, "a", @note
	.align	4
	.long	4		/* name size */
	.long	4		/* descriptor size */
	.long	18		/* XEN_ELFNOTE_PHYS32_ENTRY */
	.asciz	"Xen"
	.long	start

	.text
	.code32
	.globl	start
start:
	cli
#ifdef HALT
1:	hlt
	jmp	1b
#else
	xorl	%eax, %eax
	outl	%eax, $0xf4
1:	hlt
	jmp	1b
#endif
	.section .note.GNU-stack, "", @progbits
