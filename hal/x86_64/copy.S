/*
 * copy.S: hal_copy() (hal.h), a copy that a bad address makes fail
 * rather than fault; fixup.c tells its faults from the others.
 *
 * The copy is one rep movsb, the only instruction between .Lcopy_lo
 * and .Lcopy_hi.  A fault there resumes at .Lcopy_fail, on the stack
 * the fault left: it takes back the frame pointer the entry pushed (a
 * resume clears rbp) and returns -TORO_EFAULT (14: fixup.c checks that
 * it is).  hal_x86_copy_table holds the three addresses for fixup.c;
 * the labels stay local, so that a report names hal_copy.
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
.Lcopy_lo:
	rep movsb
.Lcopy_hi:
	xorl	%eax, %eax
	popq	%rbp
	.cfi_def_cfa_offset 8
	ret
	.cfi_def_cfa_offset 16
.Lcopy_fail:
	popq	%rbp
	.cfi_def_cfa_offset 8
	movl	$-14, %eax
	ret
	.cfi_endproc
	.size	hal_copy, .-hal_copy

	/* The exception table: the copy, the instruction after, the way out. */
	.section .data.rel.ro, "aw"
	.balign	8
	.globl	hal_x86_copy_table
	.type	hal_x86_copy_table, @object
hal_x86_copy_table:
	.quad	.Lcopy_lo, .Lcopy_hi, .Lcopy_fail
	.size	hal_x86_copy_table, .-hal_x86_copy_table

	.section .note.GNU-stack,"",@progbits
