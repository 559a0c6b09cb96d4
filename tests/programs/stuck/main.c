/*
 * stuck [SECONDS]: a thread that keeps its CPU too long, for the
 * watchdog's tests.  "spinner", on the last CPU, spins for SECONDS
 * (default 3) without blocking or yielding, then returns; main joins it,
 * prints "spinner done" and returns 0.  Run it with watchdog=1: the
 * watchdog must name "spinner" while the machine carries on.
 */
#include <toro/toro.h>

static volatile uint64_t spins;

/* A frame of its own, for the backtrace to show. */
static __attribute__((noinline)) void
spin(uint64_t ns)
{
	uint64_t end = toro_time_ns() + ns;

	while (toro_time_ns() < end)
		spins++;
}

static void *
spinner(void *arg)
{
	spin(*(uint64_t *)arg);
	return NULL;
}

int
main(int argc, char **argv)
{
	struct toro_thread_attr attr = { "spinner", 0 };
	struct toro_thread *t;
	uint64_t ns = 3000000000ull;
	const char *s;
	int err;

	if (argc > 1) {
		ns = 0;
		for (s = argv[1]; *s != '\0'; s++) {
			if (*s < '0' || *s > '9' || ns > 1000000000000ull) {
				toro_printf(
				    "stuck: bad duration '%s'\n", argv[1]);
				return 2;
			}
			ns = ns * 10 + (uint64_t)(*s - '0');
		}
		ns *= 1000000000ull;
	}
	err = toro_thread_create(&t, toro_cpu_count() - 1, spinner, &ns, &attr);
	if (err < 0) {
		toro_printf("stuck: %s\n", toro_strerror(err));
		return 1;
	}
	toro_thread_join(t, NULL);
	toro_printf("spinner done\n");
	return 0;
}
