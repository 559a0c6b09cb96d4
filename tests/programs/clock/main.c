/*
 * clock [SECONDS]: toro_time_ns() at two moments SECONDS apart (default
 * 5), for a test to set against the host's clock.  Each moment is a
 * burst of 20 lines "clock A N", N the time in ns, 10 ms apart: the test
 * keeps the line of each burst that reached it soonest, which filters
 * out the host's scheduling delays (tens of ms on a loaded host).
 * With more than one CPU, a thread on the last one also reads the clock
 * without pause for the first 1.5 s (when the native kernel refines the
 * TSC's rate in CPU 0's idle loop) and prints "monotonic: ok", or by
 * how much it went back.  Returns 0.
 */
#include <toro/toro.h>

static void *
watch(void *unused)
{
	uint64_t prev = toro_time_ns(), now, back = 0;

	while ((now = toro_time_ns()) < 1500000000u) {
		if (now < prev && prev - now > back)
			back = prev - now;
		prev = now;
	}
	if (back == 0)
		toro_printf("monotonic: ok\n");
	else
		toro_printf("monotonic: went back by %lu ns\n",
		    (unsigned long)back);
	return NULL;
}

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
	struct toro_thread *t = NULL;
	uint64_t secs = 0;
	const char *s;

	for (s = argc > 1 ? argv[1] : "5"; *s >= '0' && *s <= '9'; s++)
		secs = secs * 10 + (uint64_t)(*s - '0');
	if (toro_cpu_count() > 1 && toro_thread_create(&t,
	    toro_cpu_count() - 1, watch, NULL, NULL) < 0)
		return 1;
	burst(0);
	toro_sleep_ms(secs * 1000);
	burst(1);
	if (t != NULL)
		toro_thread_join(t, NULL);
	return 0;
}
