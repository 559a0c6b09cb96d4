/*
 * jump.S: the non-local jumps behind toro/except.h, shared by every
 * platform.
 *
 * toro_try_save(buf) saves in buf (HAL_JMP_WORDS words, the first field
 * of a struct toro_try) what the System V ABI says a call preserves: rbx,
 * rbp, r12-r15, the stack pointer after its return, the return address,
 * and the SSE and x87 control words; it returns 0.  hal_jump(buf) loads
 * them back and makes that call return again, with 1.  This is setjmp
 * and longjmp without the signal mask (the core has none) and without
 * the C library (the core links against none).  hal_jump touches no
 * stack before it loads the saved one, so a trap handler may resume a
 * thread right at it, even when the thread's stack is exhausted.
 *
 * toro_try_save carries the public prefix because TORO_TRY expands to a
 * call of it in application code.  The words C reads are named in
 * x86.h (HAL_X86_JMP_*).
 */
#include "hal/x86_64/x86.h"

	.text
	.globl	toro_try_save
	.type	toro_try_save, @function
toro_try_save:
	.cfi_startproc
	movq	%rbx, 0(%rdi)
	movq	%rbp, 8(%rdi)
	movq	%r12, 16(%rdi)
	movq	%r13, 24(%rdi)
	movq	%r14, 32(%rdi)
	movq	%r15, 40(%rdi)
	leaq	8(%rsp), %rax
	movq	%rax, 8*HAL_X86_JMP_SP(%rdi)
	movq	(%rsp), %rax
	movq	%rax, 8*HAL_X86_JMP_PC(%rdi)
	stmxcsr	64(%rdi)
	fnstcw	68(%rdi)
	xorl	%eax, %eax
	ret
	.cfi_endproc
	.size	toro_try_save, .-toro_try_save

	.globl	hal_jump
	.type	hal_jump, @function
hal_jump:
	.cfi_startproc
	movq	0(%rdi), %rbx
	movq	8(%rdi), %rbp
	movq	16(%rdi), %r12
	movq	24(%rdi), %r13
	movq	32(%rdi), %r14
	movq	40(%rdi), %r15
	ldmxcsr	64(%rdi)
	fldcw	68(%rdi)
	movq	8*HAL_X86_JMP_SP(%rdi), %rsp
	movl	$1, %eax
	jmpq	*8*HAL_X86_JMP_PC(%rdi)
	.cfi_endproc
	.size	hal_jump, .-hal_jump

	.section .note.GNU-stack,"",@progbits
