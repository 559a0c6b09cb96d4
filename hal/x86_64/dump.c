/*
 * dump.c: a register dump on the console.
 *
 * Interface: hal_x86_print_regs() (x86.h), behind native's and the sim's
 * hal_dump_registers() and native's own fault report: the lines of
 * hal_regs_line(), indented by two spaces like the core's reports.
 *
 * Rules: panics use this: no lock of its own, no allocation.
 */
#include "hal/x86_64/x86.h"

void
hal_x86_print_regs(const struct hal_regs *r)
{
	char line[80];
	size_t n;
	int i;

	for (i = 0; hal_regs_line(r, i, line + 2, sizeof(line) - 3); i++) {
		line[0] = line[1] = ' ';
		for (n = 2; line[n] != '\0'; n++)
			;
		line[n++] = '\n';
		hal_console_write(line, n);
	}
}
