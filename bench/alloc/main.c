/*
 * alloc [STEPS]: one thread per CPU runs the allocator workload (see
 * workload.h) STEPS times (default 20 million); prints the total rate.
 */
#include <toro/toro.h>

#include "workload.h"

static long steps = 20000000;

static void *
worker(void *arg)
{
	return (void *)work_run(toro_malloc, toro_free, steps,
	    (uint64_t)(uintptr_t)arg * 7919 + 1);
}

int
main(int argc, char **argv)
{
	struct toro_thread *t[64];
	int n = toro_cpu_count(), i;
	uint64_t start, ns;
	void *failed;

	if (argc > 1) {
		steps = 0;
		for (const char *s = argv[1]; *s != '\0'; s++)
			steps = steps * 10 + (*s - '0');
	}
	start = toro_time_ns();
	for (i = 0; i < n && i < 64; i++)
		if (toro_thread_create(&t[i], i, worker, (void *)(intptr_t)i,
		    NULL) < 0)
			return 1;
	for (i = 0; i < n && i < 64; i++) {
		toro_thread_join(t[i], &failed);
		if (failed != NULL)
			return 1;
	}
	ns = toro_time_ns() - start;
	toro_printf("alloc: %.1f Mops/s on %d CPUs\n",
	    (double)steps * n * 1000.0 / (double)ns, n);
	return 0;
}
