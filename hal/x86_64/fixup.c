/*
 * fixup.c: the fault side of hal_copy() (hal.h, copy.S), a copy that a
 * bad address makes fail rather than fault, for the platforms with an
 * MMU (native, sim).
 *
 * Interface: hal_x86_copy_fault() (x86.h) for the platform's trap path,
 * which asks it first about every page fault and protection fault.
 *
 * The copy is one rep movsb, so an exception table of one entry
 * (copy.S's hal_x86_copy_table) says whose fault it is: a fault with
 * its pc at that instruction is the copy's, anything else is not.  The
 * trap then resumes at the copy's way out, on the stack the fault left,
 * which takes back the frame pointer the entry pushed (the platform's
 * resume clears rbp) and returns -TORO_EFAULT.  No core code runs in
 * between: the fault is an answer, not an exception, so it works on
 * any thread.
 *
 * Rules: nothing but the rep movsb may be in the table's range, and the
 * copy keeps nothing in a register the resume changes (rip, rsp, rdi,
 * rbp, the direction flag).
 */
#include "hal/x86_64/x86.h"
#include "toro/errno.h"

/* copy.S returns the number itself. */
_Static_assert(TORO_EFAULT == 14, "hal_copy fails with -14");

/* copy.S's: the copy instruction, the one after it, the way out. */
extern const uintptr_t hal_x86_copy_table[3];

bool
hal_x86_copy_fault(struct hal_trap *t)
{
	uintptr_t pc = hal_regs_pc(&t->regs);

	if (t->kind != HAL_TRAP_PAGE_FAULT && t->kind != HAL_TRAP_PROTECTION)
		return false;
	if (pc < hal_x86_copy_table[0] || pc >= hal_x86_copy_table[1])
		return false;
	t->resume_pc = hal_x86_copy_table[2];
	t->resume_sp = hal_regs_sp(&t->regs);
	t->resume_arg = 0;
	return true;
}
