/*
 * registers.c: hal_dump_registers on the simulated machine.
 *
 * Interface: hal_dump_registers() prints, on the console, the calling
 * CPU's registers as this function sees them: rip, rsp and rbp (so the
 * frame-pointer chain can be followed from here), rflags, and the
 * callee-saved ones, which still hold the caller's values unless the
 * compiler used them here.
 *
 * Rules: meant for panics, so it allocates nothing and takes no lock.
 */
#include <stdarg.h>
#include <stdio.h>

#include "hal/hal.h"
#include "sim/sim.h"

static void print(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
print(const char *fmt, ...)
{
	char buf[128];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > 0)
		sim_console_write(buf, (size_t)n < sizeof(buf) ? (size_t)n :
		    sizeof(buf) - 1);
}

void
hal_dump_registers(void)
{
	uint64_t r[9]; /* rip rsp rbp rflags rbx r12 r13 r14 r15 */

	/* Step over the red zone before pushing the flags. */
	__asm__ volatile(
	    "leaq 0(%%rip), %%rax\n\t"
	    "movq %%rax, 0(%0)\n\t"
	    "movq %%rsp, 8(%0)\n\t"
	    "movq %%rbp, 16(%0)\n\t"
	    "leaq -128(%%rsp), %%rsp\n\t"
	    "pushfq\n\t"
	    "popq %%rax\n\t"
	    "leaq 128(%%rsp), %%rsp\n\t"
	    "movq %%rax, 24(%0)\n\t"
	    "movq %%rbx, 32(%0)\n\t"
	    "movq %%r12, 40(%0)\n\t"
	    "movq %%r13, 48(%0)\n\t"
	    "movq %%r14, 56(%0)\n\t"
	    "movq %%r15, 64(%0)\n\t"
	    : : "r"(r) : "rax", "memory", "cc");

	print("CPU %d registers:\n", sim_cpu_self);
	print("  rip %016lx  rsp %016lx  rbp %016lx\n", r[0], r[1], r[2]);
	print("  rbx %016lx  r12 %016lx  r13 %016lx\n", r[4], r[5], r[6]);
	print("  r14 %016lx  r15 %016lx  rflags %08lx\n", r[7], r[8], r[3]);
}
