/*
 * switch.S: the x86-64 context switch shared by every platform.
 *
 * hal_x86_switch(uintptr_t *save_sp, uintptr_t new_sp) pushes the
 * callee-saved registers of the System V ABI (and the SSE and x87 control
 * words, which the ABI also preserves), stores the stack pointer in
 * *save_sp, loads new_sp and pops the same frame from there.  A new context
 * is a frame that hal_context_init() built by hand, whose return address
 * is hal_x86_start.
 */
	.text
	.globl	hal_x86_switch
	.type	hal_x86_switch, @function
hal_x86_switch:
	.cfi_startproc
	pushq	%rbp
	pushq	%rbx
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	subq	$8, %rsp
	stmxcsr	(%rsp)
	fnstcw	4(%rsp)
	movq	%rsp, (%rdi)
	movq	%rsi, %rsp
	ldmxcsr	(%rsp)
	fldcw	4(%rsp)
	addq	$8, %rsp
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbx
	popq	%rbp
	ret
	.cfi_endproc
	.size	hal_x86_switch, .-hal_x86_switch

/* First code of a new context: call r12(r13); the entry never returns. */
	.globl	hal_x86_start
	.type	hal_x86_start, @function
hal_x86_start:
	.cfi_startproc
	.cfi_undefined rip
	xorl	%ebp, %ebp
	movq	%r13, %rdi
	callq	*%r12
	ud2
	.cfi_endproc
	.size	hal_x86_start, .-hal_x86_start

	.section .note.GNU-stack,"",@progbits
