/*
 * clock [SECONDS]: toro_time_ns() at two moments SECONDS apart (default
 * 5), for a test to set against the host's clock.  Each moment is a
 * burst of 20 lines "clock A N", N the time in ns, 10 ms apart: the test
 * keeps the line of each burst that reached it soonest, which filters
 * out the host's scheduling delays (tens of ms on a loaded host).
 * Returns 0.
 */
#include <toro/toro.h>

static void
burst(int which)
{
	int i;

	for (i = 0; i < 20; i++) {
		toro_printf("clock %d %lu\n", which,
		    (unsigned long)toro_time_ns());
		toro_sleep_ms(10);
	}
}

int
main(int argc, char **argv)
{
	uint64_t secs = 0;
	const char *s;

	for (s = argc > 1 ? argv[1] : "5"; *s >= '0' && *s <= '9'; s++)
		secs = secs * 10 + (uint64_t)(*s - '0');
	burst(0);
	toro_sleep_ms(secs * 1000);
	burst(1);
	return 0;
}
