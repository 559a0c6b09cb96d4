/*
 * copy.S: hal_copy() (hal.h), a copy that a bad address makes fail
 * rather than fault; fixup.c tells its faults from the others.
 *
 * The copy is one rep movsb, the only instruction between
 * hal_x86_copy_lo and hal_x86_copy_hi.  A fault there resumes at
 * hal_x86_copy_fail, on the stack the fault left: it takes back the
 * frame pointer the entry pushed (a resume clears rbp) and returns
 * -TORO_EFAULT (14: fixup.c checks that it is).
 */
	.text
	.globl	hal_copy
	.type	hal_copy, @function
hal_copy:
	.cfi_startproc
	pushq	%rbp
	.cfi_def_cfa_offset 16
	.cfi_offset %rbp, -16
	movq	%rsp, %rbp
	movq	%rdx, %rcx
	.globl	hal_x86_copy_lo
hal_x86_copy_lo:
	rep movsb
	.globl	hal_x86_copy_hi
hal_x86_copy_hi:
	xorl	%eax, %eax
	popq	%rbp
	.cfi_def_cfa_offset 8
	ret
	.cfi_def_cfa_offset 16
	.globl	hal_x86_copy_fail
hal_x86_copy_fail:
	popq	%rbp
	.cfi_def_cfa_offset 8
	movl	$-14, %eax
	ret
	.cfi_endproc
	.size	hal_copy, .-hal_copy

	.section .note.GNU-stack,"",@progbits
