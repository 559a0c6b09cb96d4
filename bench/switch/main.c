/*
 * switch [N]: two threads on CPU 0 yield to each other N times (default
 * 10 million); prints the time per switch.  The peer is
 * bench/peers/swapcontext.c.
 */
#include <toro/toro.h>

static long n = 10000000;

static void *
spin(void *unused)
{
	long i;

	for (i = 0; i < n; i++)
		toro_yield();
	return NULL;
}

int
main(int argc, char **argv)
{
	struct toro_thread *a, *b;
	uint64_t start, ns;

	if (argc > 1) {
		n = 0;
		for (const char *s = argv[1]; *s != '\0'; s++)
			n = n * 10 + (*s - '0');
	}
	start = toro_time_ns();
	if (toro_thread_create(&a, 0, spin, NULL, NULL) < 0 ||
	    toro_thread_create(&b, 0, spin, NULL, NULL) < 0)
		return 1;
	toro_thread_join(a, NULL);
	toro_thread_join(b, NULL);
	ns = toro_time_ns() - start;
	/* Each yield is one switch; 2n yields in all. */
	toro_printf("switch: %.2f ns per switch\n", (double)ns / (2.0 * n));
	return 0;
}
