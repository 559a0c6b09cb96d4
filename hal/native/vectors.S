/*
 * vectors.S: the entry stubs of all 256 interrupt vectors.
 *
 * Stub n sits at hal_vectors + 16 * n (desc.c builds the IDT from that).
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

	.align	16
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

	.section .note.GNU-stack, "", @progbits
