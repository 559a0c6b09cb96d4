/*
 * vectors.S: the entry stubs of all 256 interrupt vectors.
 *
 * Stub n sits at hal_vectors + 16 * n.  The IDT is built here too, by
 * the assembler and the linker rather than by a loop at boot: the stubs
 * fill one aligned 4 KiB page, so all gates share the high bits of their
 * address (kernel.ld's hal_vectors_hi) and differ in the low 16 bits.
 * It pushes a zero error code where the CPU pushes none, then the vector,
 * and joins the common path: save the general registers as a struct
 * hal_trap_frame, save the SSE/x87 state (the C handler may use SSE and
 * the interrupted code owns those registers), call hal_trap(frame),
 * restore, iretq.  Every vector runs on an IST stack, so the interrupted
 * code's red zone is never touched.
 */
#include "hal/native/layout.h"

	.text
	/* The general registers, in struct hal_trap_frame's order. */
	.macro	save_regs
	pushq	%rax
	pushq	%rbx
	pushq	%rcx
	pushq	%rdx
	pushq	%rsi
	pushq	%rdi
	pushq	%rbp
	pushq	%r8
	pushq	%r9
	pushq	%r10
	pushq	%r11
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	.endm
	.macro	restore_regs
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%r11
	popq	%r10
	popq	%r9
	popq	%r8
	popq	%rbp
	popq	%rdi
	popq	%rsi
	popq	%rdx
	popq	%rcx
	popq	%rbx
	popq	%rax
	.endm

	.macro	stub n
	.align	16
	.if	(\n == 8) || (\n == 10) || (\n == 11) || (\n == 12) || \
		(\n == 13) || (\n == 14) || (\n == 17) || (\n == 21) || \
		(\n == 29) || (\n == 30)
	.else
	pushq	$0
	.endif
	pushq	$\n
	jmp	trap_common
	.endm

	.align	4096
	.globl	hal_vectors
hal_vectors:
	vector = 0
	.rept	256
	stub	vector
	vector = vector + 1
	.endr

trap_common:
	save_regs
	cld
	movq	%rsp, %rdi
	movq	%rsp, %rbx
	subq	$512, %rsp
	andq	$-16, %rsp
	fxsave64 (%rsp)
	call	hal_trap
	fxrstor64 (%rsp)
	movq	%rbx, %rsp
	restore_regs
	addq	$16, %rsp
	iretq

	/*
	 * Present 64-bit interrupt gates, DPL 0, each on its IST stack:
	 * NMI, #DF and #MC have their own, the other exceptions theirs, and
	 * interrupts theirs.
	 */
	.section .rodata
	.align	16
	.globl	hal_idt
hal_idt:
	vector = 0
	.rept	256
	.word	hal_vectors_lo + 16 * vector
	.word	HAL_SEL_CODE
	.if	(vector == 2) || (vector == 8) || (vector == 18)
	.byte	HAL_IST_NMI
	.elseif	vector < 32
	.byte	HAL_IST_EXC
	.else
	.byte	HAL_IST_IRQ
	.endif
	.byte	0x8e
	.word	hal_vectors_hi
	.long	0, 0
	vector = vector + 1
	.endr
	.globl	hal_idt_end
hal_idt_end:

	.section .note.GNU-stack, "", @progbits
