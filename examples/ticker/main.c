/*
 * ticker [SECONDS]: one thread per CPU sleeps in a loop; CPU 0's prints
 * "tick k" once a second, for SECONDS seconds (default 10).  It is the
 * idle workload: between ticks every CPU should sleep.
 */
#include <toro/toro.h>

static long seconds = 10;

static void *
ticker(void *arg)
{
	uint64_t start = toro_time_ns();
	long k;

	for (k = 1; k <= seconds; k++) {
		/* Sleep to absolute deadlines so ticks do not drift. */
		uint64_t due = start + (uint64_t)k * 1000000000ull;
		uint64_t now = toro_time_ns();

		if (due > now)
			toro_sleep_ns(due - now);
		if (toro_cpu_id() == 0)
			toro_printf("tick %ld\n", k);
	}
	return NULL;
}

int
main(int argc, char **argv)
{
	struct toro_thread *t[64];
	int n = toro_cpu_count(), i, err;
	const char *s;

	if (argc > 1) {
		seconds = 0;
		for (s = argv[1]; *s != '\0'; s++) {
			if (*s < '0' || *s > '9' || seconds > 1000000) {
				toro_printf("ticker: bad duration '%s'\n",
				    argv[1]);
				return 2;
			}
			seconds = seconds * 10 + (*s - '0');
		}
	}
	if (n > 64)
		n = 64;
	for (i = 0; i < n; i++) {
		err = toro_thread_create(&t[i], i, ticker, NULL, NULL);
		if (err < 0) {
			toro_printf("ticker: %s\n", toro_strerror(err));
			return 1;
		}
	}
	for (i = 0; i < n; i++)
		toro_thread_join(t[i], NULL);
	return 0;
}
