/*
 * registers.c: hal_dump_registers on the simulated machine.
 *
 * Interface: hal_dump_registers() prints, on the console, the calling
 * CPU's registers as this function sees them, in hal/x86_64's one
 * register dump: rip, rsp and rbp (so the frame-pointer chain can be
 * followed from here), rflags, the callee-saved ones, which still hold
 * the caller's values unless the compiler used them here, and the
 * others as they happen to be.
 *
 * Rules: meant for panics, so it allocates nothing and takes no lock.
 */
#include <stdio.h>

#include "hal/hal.h"
#include "hal/x86_64/x86.h"
#include "sim/sim.h"

void
hal_dump_registers(void)
{
	struct hal_regs r;
	char head[32];
	int n;

	hal_x86_capture(&r);
	n = snprintf(head, sizeof(head), "CPU %d registers:\n", sim_cpu_self);
	if (n > 0 && (size_t)n < sizeof(head))
		hal_console_write(head, (size_t)n);
	hal_x86_print_regs(&r);
}
