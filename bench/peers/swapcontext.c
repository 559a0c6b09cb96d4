/*
 * swapcontext [N]: the peer of bench/switch: two glibc ucontexts switch
 * to each other N times (default 10 million); prints the time per switch.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <ucontext.h>

static ucontext_t ctx[2];
static long n = 10000000;

static void
other(void)
{
	for (;;)
		swapcontext(&ctx[1], &ctx[0]);
}

int
main(int argc, char **argv)
{
	static char stack[65536];
	struct timespec a, b;
	long i;

	if (argc > 1)
		n = atol(argv[1]);
	getcontext(&ctx[1]);
	ctx[1].uc_stack.ss_sp = stack;
	ctx[1].uc_stack.ss_size = sizeof(stack);
	makecontext(&ctx[1], other, 0);
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < n; i++)
		swapcontext(&ctx[0], &ctx[1]);
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("swapcontext: %.2f ns per switch\n",
	    ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) /
	    (2.0 * n));
	return 0;
}
