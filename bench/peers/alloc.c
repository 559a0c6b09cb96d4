/*
 * alloc THREADS [STEPS]: the host peer of bench/alloc: the same workload
 * in THREADS pthreads with the C library's malloc (linked once against
 * glibc and once against jemalloc).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "../alloc/workload.h"

static long steps = 20000000;

static void *
worker(void *arg)
{
	return (void *)work_run(malloc, free, steps,
	    (uint64_t)(uintptr_t)arg * 7919 + 1);
}

int
main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 1, i;
	pthread_t t[64];
	struct timespec a, b;
	double ns;

	if (argc > 2)
		steps = atol(argv[2]);
	if (n < 1 || n > 64)
		return 2;
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < n; i++)
		pthread_create(&t[i], NULL, worker, (void *)(intptr_t)i);
	for (i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	clock_gettime(CLOCK_MONOTONIC, &b);
	ns = (b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec);
	printf("alloc: %.1f Mops/s on %d threads\n", steps * n * 1000.0 / ns,
	    n);
	return 0;
}
