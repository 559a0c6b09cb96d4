/*
 * capture.S: hal_x86_capture(struct hal_regs *r), the registers of the
 * code that calls it, for a register dump (x86.h).
 *
 * rip is the return address and rsp the stack pointer after the return,
 * so the dump shows the caller as it was at the call; rdi is the
 * argument, as the call left it.  It pushes the flags below its return
 * address, which the caller's red zone may hold only in a leaf, and a
 * function that calls is none.
 */
#include "hal/x86_64/x86.h"

	.text
	.globl	hal_x86_capture
	.type	hal_x86_capture, @function
hal_x86_capture:
	.cfi_startproc
	movq	%rax, 8*HAL_X86_RAX(%rdi)
	movq	%rbx, 8*HAL_X86_RBX(%rdi)
	movq	%rcx, 8*HAL_X86_RCX(%rdi)
	movq	%rdx, 8*HAL_X86_RDX(%rdi)
	movq	%rsi, 8*HAL_X86_RSI(%rdi)
	movq	%rdi, 8*HAL_X86_RDI(%rdi)
	movq	%rbp, 8*HAL_X86_RBP(%rdi)
	movq	%r8, 8*HAL_X86_R8(%rdi)
	movq	%r9, 8*HAL_X86_R9(%rdi)
	movq	%r10, 8*HAL_X86_R10(%rdi)
	movq	%r11, 8*HAL_X86_R11(%rdi)
	movq	%r12, 8*HAL_X86_R12(%rdi)
	movq	%r13, 8*HAL_X86_R13(%rdi)
	movq	%r14, 8*HAL_X86_R14(%rdi)
	movq	%r15, 8*HAL_X86_R15(%rdi)
	movq	(%rsp), %rax
	movq	%rax, 8*HAL_X86_RIP(%rdi)
	leaq	8(%rsp), %rax
	movq	%rax, 8*HAL_X86_RSP(%rdi)
	pushfq
	popq	%rax
	movq	%rax, 8*HAL_X86_RFLAGS(%rdi)
	movq	8*HAL_X86_RAX(%rdi), %rax
	ret
	.cfi_endproc
	.size	hal_x86_capture, .-hal_x86_capture

	.section .note.GNU-stack,"",@progbits
