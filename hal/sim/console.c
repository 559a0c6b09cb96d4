/*
 * console.c: the console of hal.h on the simulated machine.
 *
 * Interface: hal_console_write and hal_console_read, over the console
 * device of sim/console.c (stdout, and stdin through the host loop).
 */
#include "hal/hal.h"
#include "sim/sim.h"

void
hal_console_write(const char *s, size_t n)
{
	sim_console_write(s, n);
}

size_t
hal_console_read(char *buf, size_t n)
{
	return sim_console_read(buf, n);
}
