/*
 * churn: a Toro application for the memory checkers.  Threads are born
 * and die on every CPU while their stacks' memory is reused as heap and
 * blocks are freed on other CPUs than their owners'.
 */
#include <toro/toro.h>

static void *
scribble(void *arg)
{
	volatile char buf[2048];
	char *p = toro_malloc(300);
	int i;

	for (i = 0; i < (int)sizeof(buf); i++)
		buf[i] = (char)i;
	if (p == NULL)
		return NULL;
	p[0] = buf[7];
	/* Freed by main, usually on another CPU. */
	return p;
}

int
main(int argc, char **argv)
{
	struct toro_thread *t;
	int round, i, n = toro_cpu_count();
	void *p;
	char *q;

	for (round = 0; round < 40; round++) {
		for (i = 0; i < n; i++) {
			if (toro_thread_create(&t, i, scribble, NULL, NULL) < 0)
				return 1;
			if (toro_thread_join(t, &p) < 0 || p == NULL)
				return 1;
			toro_free(p);
		}
		/* Dead threads' stacks come back as heap: write all of it. */
		for (i = 0; i < 8; i++) {
			q = toro_malloc(64 * 1024);
			if (q == NULL)
				return 1;
			for (int k = 0; k < 64 * 1024; k++)
				q[k] = (char)k;
			toro_free(q);
		}
	}
	toro_printf("churn done\n");
	return 0;
}
