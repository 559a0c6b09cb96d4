/*
 * backtrace.c: the frames of x86-64 code built with frame pointers.
 *
 * Interface: hal_frames() and hal_frameless_return() from hal.h.
 *
 * A frame is two words at its frame pointer: the caller's frame pointer,
 * then the return address into the caller (push %rbp; mov %rsp, %rbp).
 * A function that has not pushed rbp yet, a leaf GCC built without a
 * frame or one that faulted in its prologue, leaves rbp its caller's, so
 * the chain skips that caller; its return address is then found on the
 * stack by decoding the function's first bytes.
 *
 * Rules: the callers are reports and panics, on stacks that may be
 * corrupt: every word read lies inside [lo, hi) and is 8-byte aligned,
 * and the chain must climb, so a loop in it ends the walk.
 */
#include "hal/x86_64/x86.h"

#define PUSH_RBP 0x55

int
hal_frames(uintptr_t fp, uintptr_t lo, uintptr_t hi, uintptr_t *out, int max)
{
	const uintptr_t *f;
	int n = 0;

	while (n < max && fp != 0 && fp >= lo && hi >= 16 && fp <= hi - 16 &&
	    (fp & 7) == 0) {
		f = (const uintptr_t *)fp;
		if (f[1] == 0)
			break;
		out[n++] = f[1];
		if (f[0] <= fp)
			break;
		fp = f[0];
	}
	return n;
}

uintptr_t
hal_frameless_return(
    const struct hal_regs *r, uintptr_t fn, uintptr_t lo, uintptr_t hi)
{
	uintptr_t pc = hal_regs_pc(r), sp = hal_regs_sp(r);
	const uint8_t *c = (const uint8_t *)fn;

	if (fn == 0 || sp < lo || hi < 16 || sp > hi - 16 || (sp & 7) != 0)
		return 0;
	if (c[0] == 0xf3 && c[1] == 0x0f && c[2] == 0x1e && c[3] == 0xfa)
		c += 4; /* endbr64 */
	/* Before the push, or in a function that never pushes: at sp. */
	if (c[0] != PUSH_RBP || pc == (uintptr_t)c)
		return ((const uintptr_t *)sp)[0];
	/* After the push, before mov %rsp, %rbp: above the saved rbp. */
	if (pc == (uintptr_t)c + 1)
		return ((const uintptr_t *)sp)[1];
	return 0;
}
